/** `GLOBAL` or an organisation id; each scope owns exactly one folder of the workspace. */
export type Scope = string & { readonly __brand: 'Scope' };

export const GLOBAL_SCOPE = 'GLOBAL' as Scope;

/**
 * The one pattern of a scope name, unanchored, for parsers, API schemas and ids that embed a scope:
 * organisation ids are GUIDs or short slugs, letters, digits, '-' and '_' only, so an id can never
 * spell a path segment such as '..'; `GLOBAL` fits it too.
 */
export const SCOPE_NAME_PATTERN = /[A-Za-z0-9][A-Za-z0-9_-]{0,63}/;

const ORG_ID = new RegExp(`^${SCOPE_NAME_PATTERN.source}$`);

/**
 * Parses a scope name; null when it is neither GLOBAL nor a well-formed organisation id.
 *
 * Organisation ids ignore case and come back in lower case: Azure Files (like Key Vault) compares
 * names without case, so `orgs/ABC` and `orgs/abc` are one folder and must be one scope. `global`
 * in any spelling but `GLOBAL` is refused: as an organisation it would be GLOBAL under another
 * name, and guessing that a caller meant the scope every organisation shares is not safe.
 */
export function parseScope(value: string | null | undefined): Scope | null {
  if (value === undefined || value === null) return null;
  if (value === GLOBAL_SCOPE) return GLOBAL_SCOPE;
  if (!ORG_ID.test(value)) return null;
  const id = value.toLowerCase();
  return id === 'global' ? null : (id as Scope);
}

/** The scope's folder, relative to the workspace root, without trailing slash. */
export function scopeFolder(scope: Scope): string {
  return scope === GLOBAL_SCOPE ? 'global' : `orgs/${scope}`;
}
