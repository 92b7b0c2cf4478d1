import type { Stats } from 'node:fs';
import * as path from 'node:path';
import type { FileEntry } from '../../ports/FileStore';
import * as fs from './fsCallbacks';
import { errnoOf, mapFsError } from './mapFsError';
import { PRIVATE_FOLDER } from './resolveInsideRoot';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Adds the entries below the folder `absolute` (whose lstat was `folderStats`). Links are neither
 * listed nor entered. readdir follows a folder swapped for a link after its lstat, so the folder
 * is checked again afterwards and its names dropped if it changed; a swap that is undone between
 * the two checks can still show names (never contents: reads check what they open).
 */
export async function collectEntries(
  absolute: string,
  relative: string,
  folderStats: Stats,
  recursive: boolean,
  into: FileEntry[],
): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(absolute);
  } catch (error) {
    if (MISSING.has(errnoOf(error) ?? '')) return; // a missing folder lists as empty
    throw mapFsError(error, 'list', relative);
  }
  const after = await fs.lstat(absolute).catch(() => null);
  if (after === null || !after.isDirectory() || after.ino !== folderStats.ino || after.dev !== folderStats.dev) return;
  await Promise.all(
    names.map(async (name) => {
      if (relative === '' && isPrivateFolder(name)) return;
      const childAbsolute = path.join(absolute, name);
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      let stats: Stats;
      try {
        stats = await fs.lstat(childAbsolute);
      } catch (error) {
        if (MISSING.has(errnoOf(error) ?? '')) return; // deleted between readdir and lstat
        throw mapFsError(error, 'list', childRelative);
      }
      const entry = toEntry(childRelative, stats);
      if (entry === null) return;
      into.push(entry);
      if (recursive && entry.kind === 'directory')
        await collectEntries(childAbsolute, childRelative, stats, true, into);
    }),
  );
}

/** Only regular files and folders are part of the store; symlinks and devices are invisible. */
export function toEntry(relative: string, stats: Stats): FileEntry | null {
  if (stats.isFile()) {
    return {
      path: relative,
      kind: 'file',
      size: stats.size,
      modifiedAt: stats.mtime,
      executable: (stats.mode & 0o100) !== 0,
    };
  }
  if (stats.isDirectory()) {
    return { path: relative, kind: 'directory', size: 0, modifiedAt: stats.mtime, executable: false };
  }
  return null;
}

export function isPrivateFolder(name: string): boolean {
  return name.toLowerCase() === PRIVATE_FOLDER;
}
