import { joinScopePath } from '../domain/workspace/PathPolicy';

/** One file of a `moveAll` batch: `from` is moved over `to` as `rename` moves it. */
export interface FileMove {
  readonly from: string;
  readonly to: string;
}

/**
 * A moveAll batch that moves each of `paths` from below the folder `from` to the same path below
 * the folder `to` (`from/p` over `to/p`). A sync's commit is such a batch: the store needs no
 * joined pair of paths per file, which at 50,000 files held ~20 MB while the batch moved (issue #10).
 */
export interface FolderMoves {
  readonly from: string;
  readonly to: string;
  /** Relative to both folders. */
  readonly paths: readonly string[];
}

export function isFolderMoves(moves: readonly FileMove[] | FolderMoves): moves is FolderMoves {
  return !Array.isArray(moves);
}

/** The batch as single moves, each made when it is reached. */
export function* eachFileMove(moves: readonly FileMove[] | FolderMoves): Iterable<FileMove> {
  if (!isFolderMoves(moves)) {
    yield* moves;
    return;
  }
  for (const path of moves.paths) yield { from: joinScopePath(moves.from, path), to: joinScopePath(moves.to, path) };
}
