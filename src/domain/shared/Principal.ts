import { GLOBAL_SCOPE, parseScope, type Scope } from './Scope';

/** Who is calling, as the bearer token (or the local development identity) says. */
export interface Principal {
  /** Stable subject id (the token's `oid`, else `sub`). */
  readonly subject: string;
  /** Display name, for logs and audit only. */
  readonly name: string;
  /** MSP admin: may act on every scope, and on dead letters. */
  readonly isAdmin: boolean;
  /** May change files and connections of the scopes it may read. */
  readonly isEditor: boolean;
  /** Organisation ids from the token's claims (ignored for admins); compared as scopes, without case. */
  readonly organizations: readonly string[];
}

/** What a route needs: reading a scope, changing it, or operating the whole service. */
export type Need = 'read' | 'write' | 'admin';

/**
 * Admins act everywhere. Anyone else acts only on the organisations in their claims, and GLOBAL is
 * shared by every organisation, so only admins may change or even browse it. Writes need the editor role.
 */
export function isAllowed(principal: Principal, need: Need, scope: Scope | null): boolean {
  if (principal.isAdmin) return true;
  if (need === 'admin') return false;
  if (need === 'write' && !principal.isEditor) return false;
  if (scope === null) return true; // routes that filter to the caller's scopes themselves
  if (scope === GLOBAL_SCOPE) return false;
  // Parsed, not compared as text: `CONTOSO` in a claim is the scope `contoso`, and never GLOBAL.
  return principal.organizations.some((organization) => parseScope(organization) === scope);
}
