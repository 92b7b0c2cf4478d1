import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SnapshotEntry {
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Permission bits for files (0o644 / 0o755). */
  readonly mode?: number;
  readonly sha256?: string;
  readonly size?: number;
}

/**
 * Visits everything under `root` in name order (relative POSIX paths, without following symlinks);
 * `skip` drops a path and everything below it. A missing root is empty.
 */
export async function walkFolder(
  root: string,
  visit: (path: string, full: string, info: Stats) => Promise<void> | void,
  skip: (path: string) => boolean = () => false,
): Promise<void> {
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names.sort()) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (skip(path)) continue;
      const full = join(dir, name);
      const info = await lstat(full);
      await visit(path, full, info);
      if (info.isDirectory()) await walk(full, path);
    }
  };
  await walk(root, '');
}

/** Every file and folder under `root` (relative POSIX paths), with content hashes and modes. */
export async function snapshotFolder(
  root: string,
  options: { skip?: (path: string) => boolean } = {},
): Promise<Map<string, SnapshotEntry>> {
  const out = new Map<string, SnapshotEntry>();
  await walkFolder(
    root,
    async (path, full, info) => {
      if (info.isSymbolicLink()) out.set(path, { kind: 'symlink' });
      else if (info.isDirectory()) out.set(path, { kind: 'directory' });
      else {
        const bytes = await readFile(full);
        out.set(path, {
          kind: 'file',
          mode: info.mode & 0o777,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        });
      }
    },
    options.skip,
  );
  return out;
}

/**
 * What a mirror of `git archive` must hold: regular files and the folders that lead to them.
 * Symlinks and submodule folders are not mirrored (they are listed on the run instead).
 */
export function mirrorableView(snapshot: Map<string, SnapshotEntry>): Map<string, SnapshotEntry> {
  const files = [...snapshot].filter(([, entry]) => entry.kind === 'file');
  const folders = new Set<string>();
  for (const [path] of files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return new Map(
    [...snapshot].filter(([path, entry]) => entry.kind === 'file' || (entry.kind === 'directory' && folders.has(path))),
  );
}

/** Human-readable differences between two snapshots (empty when equal). */
export function diffSnapshots(actual: Map<string, SnapshotEntry>, expected: Map<string, SnapshotEntry>): string[] {
  const problems: string[] = [];
  for (const [path, want] of expected) {
    const got = actual.get(path);
    if (!got) problems.push(`missing ${want.kind} ${path}`);
    else if (got.kind !== want.kind) problems.push(`${path}: ${got.kind} instead of ${want.kind}`);
    else if (got.sha256 !== want.sha256) problems.push(`${path}: content differs`);
    // The owner's bits: the store creates 0o600/0o700 where git archive and zips say 0o644/0o755.
    else if (((got.mode ?? 0) & 0o700) !== ((want.mode ?? 0) & 0o700))
      problems.push(`${path}: mode ${got.mode?.toString(8)} instead of ${want.mode?.toString(8)}`);
  }
  for (const [path, got] of actual) if (!expected.has(path)) problems.push(`unexpected ${got.kind} ${path}`);
  return problems;
}
