import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { FileStoreError } from '../../ports/FileStore';
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';
import { errnoOf, mapFsError } from './mapFsError';

/** Where a store path leads on disk, found one component at a time without following any link. */
export type Location =
  /** The entry exists; `stats` come from lstat, so a link at the end shows as a link. */
  | { readonly kind: 'found'; readonly absolute: string; readonly relative: string; readonly stats: Stats }
  /** Some component does not exist, or a component before the last is a file: nothing is there. */
  | { readonly kind: 'missing' }
  /** A component before the last is a symbolic link (`relative` names it, as stored). */
  | { readonly kind: 'link'; readonly relative: string };

export interface LocateOptions {
  /** Whether a missing NFC segment may be found under another spelling (see FileStore). */
  readonly twins: boolean;
}

/**
 * Walks `relative` (already checked to stay inside `root`, '' = the root) with lstat, component by
 * component, so a symbolic link anywhere on the way is seen instead of followed. `root` must have
 * been resolved (realpath) by the caller: links above the root are the operator's choice.
 *
 * This checks; it cannot hold the answer still. Node has no openat(2), so a folder checked here can
 * be swapped for a link before the caller's own system call. Callers narrow that window: reads open
 * with O_NOFOLLOW and compare the opened file with the one found here, rename, unlink and rmdir never
 * follow their last component. What remains is a race with someone who can already change the volume
 * by hand, at the moment of a write, rename, delete or listing.
 */
export async function locateOnDisk(root: string, relative: string, options: LocateOptions): Promise<Location> {
  if (relative === '') {
    const stats = await lstatOrNull(root, '');
    return stats === null ? { kind: 'missing' } : { kind: 'found', absolute: root, relative: '', stats };
  }
  const segments = relative.split('/');
  const fast = await locateThroughRealParent(root, segments, relative, options);
  if (fast !== null) return fast;
  // Every prefix at once: each answer is used only if all before it are real folders, so one
  // that went through a link is never looked at. Twin lookups need the sequential walk.
  // Settled, not all-or-nothing: an lstat through a link may fail (a loop, a folder we may not read),
  // and that answer is never looked at, since the walk stops at the link before it.
  const all = await Promise.allSettled(
    segments.map(async (segment, index) => {
      const absolute = path.join(root, ...segments.slice(0, index + 1));
      return { segment, absolute, stats: await lstatOrNull(absolute, relative) };
    }),
  );
  for (const [index, answer] of all.entries()) {
    if (answer.status === 'rejected') throw answer.reason;
    const { segment, absolute, stats } = answer.value;
    if (stats === null) {
      if (options.twins && mayNameATwin(segment)) return walk(root, segments, relative);
      return { kind: 'missing' };
    }
    if (index === segments.length - 1) return { kind: 'found', absolute, relative, stats };
    if (stats.isSymbolicLink()) return { kind: 'link', relative: segments.slice(0, index + 1).join('/') };
    if (!stats.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' }; // unreachable: the loop returns at the last segment
}

/**
 * The common case in one native call: when the parent folder's real path is the path asked for, no
 * folder on the way is a link (the root is already real), so only the last component needs a look.
 * Null when that does not settle it (a link or a missing folder on the way, or a spelling to look
 * for): the walk then says which component it is. One realpath costs far less than an lstat per
 * component, which dominated writing 10,000 files.
 */
async function locateThroughRealParent(
  root: string,
  segments: readonly string[],
  relative: string,
  options: LocateOptions,
): Promise<Location | null> {
  const last = segments.at(-1);
  if (last === undefined) return null; // not reached: a split path has a segment; the walk would answer
  const parent = path.join(root, ...segments.slice(0, -1));
  let real: string;
  try {
    real = await fs.realpath(parent);
  } catch {
    // Missing, or resolving went through a link that loops or leads where we may not look: the
    // walk finds out without following anything.
    return null;
  }
  if (real !== parent) return null;
  const absolute = path.join(parent, last);
  const stats = await lstatOrNull(absolute, relative);
  if (stats !== null) return { kind: 'found', absolute, relative, stats };
  return options.twins && mayNameATwin(last) ? null : { kind: 'missing' };
}

/** The walk one component at a time, finding a missing NFC segment under another spelling. */
async function walk(root: string, segments: readonly string[], relative: string): Promise<Location> {
  let absolute = root;
  const names: string[] = [];
  for (const [index, segment] of segments.entries()) {
    let name = segment;
    let stats = await lstatOrNull(path.join(absolute, name), relative);
    if (stats === null && mayNameATwin(segment)) {
      const twin = await twinIn(absolute, segment, relative);
      if (twin !== null) {
        name = twin;
        stats = await lstatOrNull(path.join(absolute, name), relative);
      }
    }
    if (stats === null) return { kind: 'missing' };
    absolute = path.join(absolute, name);
    names.push(name);
    if (index === segments.length - 1) return { kind: 'found', absolute, relative: names.join('/'), stats };
    if (stats.isSymbolicLink()) return { kind: 'link', relative: names.join('/') };
    if (!stats.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

/** The single entry of `folder` stored under another spelling of the NFC name `requested`. */
export async function twinIn(folder: string, requested: string, relative: string): Promise<string | null> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (error) {
    if (isMissing(error)) return null;
    throw mapFsError(error, 'look up', relative);
  }
  return singleTwin(names, requested);
}

/** The failure for a change that would go through the link at `linkRelative`. */
export function linkRefused(operation: string, relative: string, linkRelative: string): FileStoreError {
  return new FileStoreError(
    'SymbolicLink',
    `cannot ${operation} '${relative}': '${linkRelative}' is a symbolic link, which the store never follows`,
  );
}

async function lstatOrNull(absolute: string, relative: string): Promise<Stats | null> {
  try {
    return await fs.lstat(absolute);
  } catch (error) {
    if (isMissing(error)) return null;
    throw mapFsError(error, 'look up', relative);
  }
}

function isMissing(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === 'ENOENT' || errno === 'ENOTDIR';
}
