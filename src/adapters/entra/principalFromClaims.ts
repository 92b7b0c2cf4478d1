import type { JWTPayload } from 'jose';
import type { Principal } from '../../domain/shared/Principal';
import { GLOBAL_SCOPE, parseScope } from '../../domain/shared/Scope';

export interface ClaimNames {
  /** Entra app role that makes the caller an MSP admin. */
  readonly adminRole: string;
  /** Entra app role that lets the caller change files and connections. */
  readonly editorRole: string;
  /**
   * Claim holding the caller's organisation ids: a string array, or one string of ids separated by
   * commas or spaces (a directory extension arrives as `extn.<name>` with a single string).
   */
  readonly organizationClaim: string;
  /** App roles whose value is this prefix and an organisation id (`Org.contoso`) grant that organisation. */
  readonly organizationRolePrefix: string;
}

/** Maps the claims of a verified Entra access token to a principal; null when the token names no subject. */
export function principalFromClaims(claims: JWTPayload, names: ClaimNames): Principal | null {
  const subject = text(claims.oid) ?? text(claims.sub);
  if (subject === undefined) return null;
  const roles = strings(claims.roles);
  const prefix = names.organizationRolePrefix;
  const fromRoles =
    prefix === '' ? [] : roles.filter((role) => role.startsWith(prefix)).map((role) => role.slice(prefix.length));
  return {
    subject,
    name: text(claims.name) ?? text(claims.preferred_username) ?? subject,
    isAdmin: roles.includes(names.adminRole),
    isEditor: roles.includes(names.editorRole),
    organizations: organizationsOf([...fromRoles, ...idsOf(claims[names.organizationClaim])]),
  };
}

function idsOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/[\s,]+/) : strings(value);
}

/** Only well-formed organisation ids: GLOBAL is never granted by a claim, and a bad id could spell a path. */
function organizationsOf(ids: string[]): string[] {
  const scopes = ids.map(parseScope).filter((scope) => scope !== null && scope !== GLOBAL_SCOPE);
  return [...new Set(scopes as string[])];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
