import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from '../../src/domain/Connection';
import type { Scope } from '../../src/domain/Scope';

/** `/api/workspace/<route>?...` with the query encoded as a browser would. */
export function workspaceUrl(route: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `/api/workspace/${route}${search ? `?${search}` : ''}`;
}

export const filesUrl = (path: string, extra: Record<string, string> = {}): string => workspaceUrl('files', { path, ...extra });

/** Scoped routes act on this organisation; no header = GLOBAL. */
export const orgHeader = (org: string): Record<string, string> => ({ 'x-organization-id': org });

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A connection record as ConnectScope would save it, for making a scope GitHub-managed. */
export function connectionFor(scope: string, overrides: Partial<Connection> = {}): Connection {
  const now = new Date();
  return {
    scope: scope as Scope,
    repository: 'acme/scripts',
    branch: 'main',
    subPath: '',
    tokenRef: `token-${scope}`,
    webhookSecretRef: `webhook-${scope}`,
    enabled: true,
    webhook: { mode: 'manual' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * Every entry below `root` with kind, size and modification time (no contents: cheap enough to
 * take before and after each of many requests). `skip` drops a path and everything below it.
 */
export async function listTree(root: string, skip: (path: string) => boolean = () => false): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (skip(path)) continue;
      const info = await lstat(join(dir, name));
      if (info.isDirectory()) {
        out.set(path, 'directory');
        await walk(join(dir, name), path);
      } else {
        out.set(path, `${info.isSymbolicLink() ? 'symlink' : 'file'} ${info.size} ${info.mtimeMs}`);
      }
    }
  };
  await walk(root, '');
  return out;
}
