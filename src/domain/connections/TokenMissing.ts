import type { SecretStore } from '../../ports/SecretStore';
import type { Scope } from '../shared/Scope';

/**
 * Why a connection cannot read GitHub: its token reference resolves to nothing. Names the reference
 * and where the configured secret store looked for it (never a value), so the fix is obvious.
 */
export function tokenMissingMessage(scope: Scope, tokenRef: string, secrets: SecretStore): string {
  return `the token of scope ${scope} is not in the secret store: nothing at ${secrets.locate(tokenRef)}`;
}
