import { createHash } from 'node:crypto';
import type { Connection } from '../../src/domain/connections/Connection';
import type { Scope } from '../../src/domain/shared/Scope';
import { walkFolder } from '../support/folderSnapshot';
import { aConnection } from '../support/mothers';

/** `/api/workspace/<route>?...` with the query encoded as a browser would. */
export function workspaceUrl(route: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `/api/workspace/${route}${search ? `?${search}` : ''}`;
}

export const filesUrl = (path: string, extra: Record<string, string> = {}): string =>
  workspaceUrl('files', { path, ...extra });

/** Scoped routes act on this organisation; no header = GLOBAL. */
export const orgHeader = (org: string): Record<string, string> => ({ 'x-organization-id': org });

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A connection record as ConnectScope would save it, for making a scope GitHub-managed. */
export function connectionFor(scope: string, overrides: Partial<Connection> = {}): Connection {
  const now = new Date();
  return aConnection({
    scope: scope as Scope,
    tokenRef: `token-${scope}`,
    webhookSecretRef: `webhook-${scope}`,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}

/**
 * Every entry below `root` with kind, size and modification time (no contents: cheap enough to
 * take before and after each of many requests). `skip` drops a path and everything below it.
 */
export async function listTree(
  root: string,
  skip: (path: string) => boolean = () => false,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await walkFolder(
    root,
    (path, _full, info) => {
      out.set(
        path,
        info.isDirectory() ? 'directory' : `${info.isSymbolicLink() ? 'symlink' : 'file'} ${info.size} ${info.mtimeMs}`,
      );
    },
    skip,
  );
  return out;
}
