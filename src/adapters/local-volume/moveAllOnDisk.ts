import { promises as fs } from 'node:fs';
import { forEachConcurrently } from '../../domain/shared/forEachConcurrently';
import type { FolderMoves } from '../../ports/FileMoves';
import type { FileMove, MoveAllOptions } from '../../ports/FileStore';
import type { DiskPlacement } from './DiskPlacement';
import { FolderWalk } from './FolderWalk';
import { mapFsError } from './mapFsError';
import { moveWholeFolders } from './moveWholeFolders';
import type { ResolvedPath } from './resolveInsideRoot';

/** Renames of one batch in flight: enough to keep libuv's threads busy. */
const MOVE_CONCURRENCY = 16;

export interface MoveAllDeps {
  readonly root: string;
  readonly placement: DiskPlacement;
  /** rename(2), or what a test stands in for it (a folder moved whole). */
  renameCall(from: string, to: string): Promise<void>;
  /** Resolves a store path that must not be the root. */
  resolveNonRoot(storePath: string, operation: string): ResolvedPath;
  /** The store's own rename, for names that may be stored in another spelling. */
  rename(from: string, to: string): Promise<void>;
}

/**
 * FileStore.moveAll on a local volume: folders that can move whole do (see moveWholeFolders), the
 * other files one by one. Each folder is looked at once for the batch (see FolderWalk: sources'
 * folders found, targets' folders found or made, never through a link), then each file is one
 * rename(2), which never follows its last component; several run at once.
 */
export async function moveAllOnDisk(
  moves: readonly FileMove[] | FolderMoves,
  deps: MoveAllDeps,
  options?: MoveAllOptions,
): Promise<void> {
  const walk = new FolderWalk(deps.root);
  const moveEach = (each: readonly FileMove[], beforeEach?: () => Promise<void>): Promise<void> =>
    moveOneByOne(each, walk, deps, beforeEach);
  const rest = await moveWholeFolders(
    moves,
    walk,
    { root: deps.root, resolveNonRoot: deps.resolveNonRoot, rename: deps.renameCall, moveEach },
    options?.beforeEach,
  );
  await moveEach(rest, options?.beforeEach);
}

async function moveOneByOne(
  moves: readonly FileMove[],
  walk: FolderWalk,
  deps: MoveAllDeps,
  beforeEach: (() => Promise<void>) | undefined,
): Promise<void> {
  await forEachConcurrently(moves, MOVE_CONCURRENCY, async (move) => {
    await beforeEach?.();
    const source = deps.resolveNonRoot(move.from, 'rename');
    const target = deps.resolveNonRoot(move.to, 'rename');
    if (!FolderWalk.handles(source.relative) || !FolderWalk.handles(target.relative))
      return deps.rename(move.from, move.to);
    try {
      await walk.existing(parentOf(source.relative), source.relative, 'rename');
      const parent = parentOf(target.relative);
      // ENOENT means a vanished target folder (worth making again) or a missing source (NotFound).
      const sourceStillThere = async (): Promise<boolean> =>
        (await fs.lstat(source.absolute).catch(() => null)) !== null;
      const move = (destination: string): Promise<void> => deps.placement.renameReplacing(source.absolute, destination);
      await deps.placement.place(target, 'rename', false, move, sourceStillThere, () =>
        walk.ensure(parent, target.relative, 'rename'),
      );
    } catch (error) {
      throw mapFsError(error, `rename to '${target.relative}' from`, source.relative);
    }
  });
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
