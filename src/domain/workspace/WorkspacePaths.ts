import type { FileStore } from '../../ports/FileStore';
import { parseScope, type Scope, scopeFolder } from '../shared/Scope';
import { DEFAULT_MAX_PATH_LENGTH, isInside, joinScopePath, normalizeRelativePath } from './PathPolicy';
import { failed, type WorkspaceErrorCode, type WorkspaceFailure } from './WorkspaceResult';

/** A caller's path, accepted by the path policy and placed inside its scope's folder. */
export interface ScopedPath {
  /** The scope's folder in the store ('orgs/42'). */
  readonly folder: string;
  /** Normalised, relative to the scope folder; '' is the folder itself. */
  readonly relative: string;
  /** Where it lives in the store ('orgs/42/a/b.py'). */
  readonly storePath: string;
}

/**
 * Turns a path from a caller into a store path that cannot leave the scope's folder, or refuses it
 * with `InvalidPath`. The empty path names the scope folder itself and is accepted only when
 * `allowRoot` (listing); no edit may address the folder as a whole.
 */
export function resolveScopedPath(
  files: FileStore,
  scope: Scope,
  input: string,
  options: { readonly allowRoot?: boolean } = {},
): ScopedPath | WorkspaceFailure<'InvalidPath'> {
  // The Scope brand can be forged with a cast; a bad one could name a folder outside 'orgs/'.
  if (parseScope(scope) !== scope)
    return failed('InvalidPath', `scope ${JSON.stringify(scope)} is not GLOBAL or an organisation id`);
  const folder = scopeFolder(scope);
  const verdict = normalizeRelativePath(input, {
    prefixLength: folder.length + 1,
    maxLength: Math.min(DEFAULT_MAX_PATH_LENGTH, files.capabilities.maxPathLength),
  });
  if (!verdict.ok) {
    if (verdict.reason === 'Empty' && options.allowRoot === true) return { folder, relative: '', storePath: folder };
    const message =
      verdict.reason === 'Empty' ? 'the path is empty: name a file or folder inside the workspace' : verdict.message;
    return failed('InvalidPath', message, verdict.reason);
  }
  const storePath = joinScopePath(folder, verdict.path);
  // Defence in depth: the policy already refuses '..', absolute paths and separators in names.
  if (!isInside(folder, storePath))
    return failed('InvalidPath', `path ${JSON.stringify(input)} is outside the workspace folder`);
  return { folder, relative: verdict.path, storePath };
}

export function isScopedPath<C extends WorkspaceErrorCode>(
  value: ScopedPath | WorkspaceFailure<C>,
): value is ScopedPath {
  return !('ok' in value);
}

/** The scope-relative form of a store path below `folder` (the store may report its own casing). */
export function relativeToFolder(folder: string, storePath: string): string | null {
  const prefix = `${folder}/`;
  if (storePath.length <= prefix.length || storePath.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase())
    return null;
  return storePath.slice(prefix.length);
}
