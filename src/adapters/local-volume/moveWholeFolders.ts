import { type Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { joinScopePath } from '../../domain/workspace/PathPolicy';
import { eachFileMove, type FolderMoves, isFolderMoves } from '../../ports/FileMoves';
import type { FileMove } from '../../ports/FileStore';
import { FolderWalk } from './FolderWalk';
import { errnoOf } from './mapFsError';
import { isNormalRelativePath, type ResolvedPath } from './resolveInsideRoot';

export interface WholeFolderDeps {
  readonly root: string;
  resolveNonRoot(storePath: string, operation: string): ResolvedPath;
  /** rename(2), or what a test stands in for it. */
  rename(from: string, to: string): Promise<void>;
  /** Moves files one by one (the usual way); used for files of a folder that could not move whole. */
  moveEach(moves: readonly FileMove[]): Promise<void>;
}

/**
 * Files by their path below a folder of both roots: the caller's move, or null where the batch
 * named only the path (FolderMoves), so that no pair of joined paths is made for a file that
 * moves with its folder.
 */
type Files = Map<string, FileMove | null>;

/** Moves that map a source folder onto a target folder, file for file (`suffix`: the path below both). */
interface Group {
  readonly sourceRoot: string;
  readonly targetRoot: string;
  readonly files: Files;
}

/**
 * The part of a moveAll batch that can move as whole folders: where a batch moves every file of a
 * source folder (and of its sub-folders, and nothing else is in them) to the same names below a
 * target folder that does not exist yet, one rename(2) moves the folder, instead of one per file
 * and one mkdir per folder. A sync's first commit is then a handful of renames. The target folder
 * appears at once, with every file in place; the source must hold exactly the moved files (a
 * recursive listing shows no other entry, and no link), and the target's parent is reached through
 * real folders only (FolderWalk). `beforeEach` runs once per file before the folder moves; when it
 * throws, the files already cleared move one by one and the error is rethrown. Whatever cannot
 * move whole (the target folder exists, names that may be stored in another spelling, anything
 * unexpected) is returned, to move one by one.
 */
export async function moveWholeFolders(
  moves: readonly FileMove[] | FolderMoves,
  walk: FolderWalk,
  deps: WholeFolderDeps,
  beforeEach: (() => Promise<void>) | undefined,
): Promise<FileMove[]> {
  const rest: FileMove[] = [];
  const groups = new Map<string, Group>();
  const groupOf = (sourceRoot: string, targetRoot: string): Group => {
    const key = `${sourceRoot}\0${targetRoot}`;
    const group = groups.get(key) ?? { sourceRoot, targetRoot, files: new Map() };
    groups.set(key, group);
    return group;
  };
  const add = (move: FileMove): void => {
    const source = deps.resolveNonRoot(move.from, 'rename').relative;
    const target = deps.resolveNonRoot(move.to, 'rename').relative;
    if (!FolderWalk.handles(source) || !FolderWalk.handles(target)) {
      rest.push(move);
      return;
    }
    const split = splitCommonSuffix(source, target);
    if (split === null) {
      rest.push(move); // renamed on the way: no folder maps onto another
      return;
    }
    const [sourceRoot, targetRoot, suffix] = split;
    groupOf(sourceRoot, targetRoot).files.set(suffix, move);
  };
  const roots = isFolderMoves(moves) ? resolveRoots(moves, deps) : null;
  if (roots === null) {
    for (const move of eachFileMove(moves)) add(move);
  } else {
    // Paths in normal form stay below both roots as they are: no joined paths to resolve.
    const files = groupOf(roots.sourceRoot, roots.targetRoot).files;
    for (const path of (moves as FolderMoves).paths) {
      if (isNormalRelativePath(path) && FolderWalk.handles(path)) files.set(path, null);
      else add({ from: joinScopePath(roots.from, path), to: joinScopePath(roots.to, path) });
    }
  }
  for (const group of groups.values()) await moveGroup(group, walk, deps, beforeEach, rest);
  return rest;
}

/** Both folders of a FolderMoves batch resolved, or null when either is the root, reserved, or names a twin. */
function resolveRoots(
  moves: FolderMoves,
  deps: WholeFolderDeps,
): { from: string; to: string; sourceRoot: string; targetRoot: string } | null {
  try {
    const sourceRoot = deps.resolveNonRoot(moves.from, 'rename').relative;
    const targetRoot = deps.resolveNonRoot(moves.to, 'rename').relative;
    if (!FolderWalk.handles(sourceRoot) || !FolderWalk.handles(targetRoot)) return null;
    return { from: moves.from, to: moves.to, sourceRoot, targetRoot };
  } catch {
    return null; // each move then fails (or not) as it would on its own
  }
}

/** The move of `suffix` below `folder` of the group: the caller's, or one made from the roots. */
function moveOf(group: Group, folder: string, suffix: string, move: FileMove | null): FileMove {
  if (move !== null) return move;
  const below = join(folder, suffix);
  return { from: join(group.sourceRoot, below), to: join(group.targetRoot, below) };
}

/** Appends the moves of (at most `limit` of) `files` below `folder` to `into`. */
function movesOf(group: Group, folder: string, files: Files, into: FileMove[], limit = Infinity): FileMove[] {
  let taken = 0;
  for (const [suffix, move] of files) {
    if (taken++ >= limit) break;
    into.push(moveOf(group, folder, suffix, move));
  }
  return into;
}

/** Moves the group's largest folders whose target is missing; appends the files left over to `rest`. */
async function moveGroup(
  group: Group,
  walk: FolderWalk,
  deps: WholeFolderDeps,
  beforeEach: (() => Promise<void>) | undefined,
  rest: FileMove[],
): Promise<void> {
  try {
    await walk.existing(parentOf(group.sourceRoot), group.sourceRoot, 'rename');
    await walk.ensure(parentOf(group.targetRoot), group.targetRoot, 'rename');
  } catch {
    movesOf(group, '', group.files, rest); // one by one, which reports what is wrong
    return;
  }
  // Folders from the top down: a folder moves whole when its target is missing and its source holds just the batch's files.
  const visit = async (folder: string, files: Files): Promise<void> => {
    const target = absolute(deps.root, join(group.targetRoot, folder));
    const stats = await fs.lstat(target).catch((error: unknown) => (errnoOf(error) === 'ENOENT' ? null : undefined));
    if (stats === null) {
      const source = absolute(deps.root, join(group.sourceRoot, folder));
      if (await holdsExactly(source, files)) {
        const cleared = (count: number): FileMove[] => movesOf(group, folder, files, [], count);
        const moved = await moveFolder(source, target, files.size, cleared, deps, beforeEach);
        if (moved) return;
      }
      // Made here, so that the folders below it can still move whole.
      const made = await walk.ensure(join(group.targetRoot, folder), group.targetRoot, 'rename').then(
        () => true,
        () => false,
      );
      if (!made) {
        movesOf(group, folder, files, rest);
        return;
      }
    } else if (stats === undefined || !stats.isDirectory()) {
      movesOf(group, folder, files, rest); // one by one, which reports what is wrong
      return;
    }
    const below = new Map<string, Files>();
    for (const [suffix, move] of files) {
      const slash = suffix.indexOf('/');
      if (slash < 0) {
        rest.push(moveOf(group, folder, suffix, move));
        continue;
      }
      const child = suffix.slice(0, slash);
      const childFiles: Files = below.get(child) ?? new Map();
      below.set(child, childFiles);
      childFiles.set(suffix.slice(slash + 1), move);
    }
    for (const [child, childFiles] of below) await visit(join(folder, child), childFiles);
  };
  await visit('', group.files);
}

/** Clears each of `count` files with `beforeEach`, then renames the folder; false when the rename failed (nothing moved). */
async function moveFolder(
  source: string,
  target: string,
  count: number,
  firstMoves: (count: number) => FileMove[],
  deps: WholeFolderDeps,
  beforeEach: (() => Promise<void>) | undefined,
): Promise<boolean> {
  if (beforeEach !== undefined) {
    for (let cleared = 0; cleared < count; cleared++) {
      try {
        await beforeEach();
      } catch (error) {
        // The files cleared so far count as started: they move, then the batch fails.
        await deps.moveEach(firstMoves(cleared)).catch(() => undefined);
        throw error;
      }
    }
  }
  try {
    await deps.rename(source, target);
    return true;
  } catch {
    return false; // the target appeared meanwhile, or the volume refused: the files go one by one
  }
}

/** Whether the folder `source` holds exactly `files` (by path below it) and the folders on their way, and nothing else. */
async function holdsExactly(source: string, files: Files): Promise<boolean> {
  const stats = await fs.lstat(source).catch(() => null);
  if (stats === null || !stats.isDirectory()) return false;
  // Each file's folders, from the deepest up to one already known: one string per file, mostly.
  const folders = new Set<string>();
  for (const suffix of files.keys()) {
    for (let slash = suffix.lastIndexOf('/'); slash > 0; slash = suffix.lastIndexOf('/', slash - 1)) {
      const folder = suffix.slice(0, slash);
      if (folders.has(folder)) break;
      folders.add(folder);
    }
  }
  let entries: Dirent[];
  try {
    entries = await fs.readdir(source, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  if (entries.length !== files.size + folders.size) return false;
  for (const entry of entries) {
    const relative = relativeTo(source, entry.parentPath, entry.name);
    const expected = entry.isFile() ? files.has(relative) : entry.isDirectory() && folders.has(relative);
    if (!expected) return false;
  }
  return true;
}

/**
 * The POSIX path of `name` in `parent` below `source`. A recursive listing names each folder as
 * `source` joined with the folders below it, so the common case is a slice, not path.relative's
 * resolving of both sides (~4 kB of garbage per file at 50,000 files, issue #10).
 */
function relativeTo(source: string, parent: string, name: string): string {
  if (parent === source) return name;
  if (path.sep === '/' && parent.startsWith(`${source}/`)) return `${parent.slice(source.length + 1)}/${name}`;
  return path.relative(source, path.join(parent, name)).split(path.sep).join('/');
}

/** `a/b/c/x`, `p/c/x` -> [`a/b`, `p`, `c/x`]: two roots (never the store root) and the longest path below both; null when the names differ. */
function splitCommonSuffix(source: string, target: string): [string, string, string] | null {
  const from = source.split('/');
  const to = target.split('/');
  let common = 0;
  while (
    common < from.length - 1 &&
    common < to.length - 1 &&
    from[from.length - 1 - common] === to[to.length - 1 - common]
  ) {
    common++;
  }
  if (common === 0) return null;
  return [from.slice(0, -common).join('/'), to.slice(0, -common).join('/'), from.slice(-common).join('/')];
}

function join(folder: string, name: string): string {
  return folder === '' ? name : name === '' ? folder : `${folder}/${name}`;
}

function absolute(root: string, relative: string): string {
  return relative === '' ? root : path.join(root, ...relative.split('/'));
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
