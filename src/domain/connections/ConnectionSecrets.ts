import { GLOBAL_SCOPE, type Scope } from '../shared/Scope';

export interface ConnectionSecretNames {
  readonly token: string;
  readonly webhookSecret: string;
}

/**
 * Names under which a scope's token and webhook secret are stored: `github-token-<key>` and
 * `webhook-secret-<key>`, valid Key Vault names (letters, digits and '-', at most 127, compared
 * without case) that no two scopes share. See secretKey for why they cannot collide.
 */
export function connectionSecretNames(scope: Scope): ConnectionSecretNames {
  const key = secretKey(scope);
  return { token: `github-token-${key}`, webhookSecret: `webhook-secret-${key}` };
}

/** A new webhook secret: 32 random bytes, hex. */
export function newWebhookSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Injective by construction, so it can be decoded back to the scope (no hash to collide):
 * - GLOBAL is `global`, which no organisation can be (parseScope refuses it);
 * - an organisation id without '_' (GUIDs, slugs) is itself: it is already lower case, letters,
 *   digits and '-', and starts with a letter or digit;
 * - any other id starts with '-' (which no id does), then the id with each '_' written '-', then
 *   '-' and, in hex, one bit per separator of the id in order (1 = '_'). The hex holds no '-', so
 *   the last '-' splits it off; the bits put back each '_'.
 * The longest (64-character) id gives a 82-character key: 97 characters with `webhook-secret-`.
 */
function secretKey(scope: Scope): string {
  if (scope === GLOBAL_SCOPE) return 'global';
  if (!scope.includes('_')) return scope;
  let underscores = 0n;
  for (const character of scope) {
    if (character === '-' || character === '_') underscores = (underscores << 1n) | (character === '_' ? 1n : 0n);
  }
  return `-${scope.replaceAll('_', '-')}-${underscores.toString(16)}`;
}
