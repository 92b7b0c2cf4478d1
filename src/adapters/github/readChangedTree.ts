import pLimit from 'p-limit';
import { type KnownTree, SourceError, type SourceTreeEntry } from '../../ports/SourceRepository';
import type { ListTree } from './readCompleteTree';
import type { CompleteListing, RootedEntries } from './treeListing';

/**
 * Folder listings an incremental read may spend. Past this many changed folders one recursive
 * listing of the whole tree is cheaper (fewer round trips, fewer requests against the rate limit).
 */
export const MAX_CHANGED_FOLDER_LISTINGS = 64;

/**
 * A changed folder that held at most this many entries (all levels below it) is listed whole, in
 * one recursive request, instead of level by level: a listing this size costs GitHub less than
 * the round trips of walking down to the change (issue #10).
 */
export const SMALL_FOLDER_ENTRIES = 256;

/** Why an incremental read gave up: the caller lists the whole tree instead. */
class NotWorthIt extends Error {}

/**
 * The tree of `commitSha` below `prefix`, listing only what changed since `known` (issue #10):
 * one level at a time from the top, a folder whose SHA equals the known folder's at the same path
 * is taken from `known` (git names trees by content), one found under another path is taken from
 * there, a changed folder is listed one level deep (whole when it held at most
 * SMALL_FOLDER_ENTRIES), a folder `known` never held is listed recursively in one request.
 * Returns null when a listing is truncated or more than MAX_CHANGED_FOLDER_LISTINGS folders
 * changed: the caller then reads the whole tree. Paths to the sub-path that do not exist fail as
 * the whole read would (NotFound).
 */
export async function readChangedTree(
  list: ListTree,
  commitSha: string,
  prefix: string,
  where: string,
  known: KnownTree,
  concurrency: number,
): Promise<RootedEntries | null> {
  const reader = new ChangedTreeReader(list, known, concurrency);
  try {
    return await reader.read(commitSha, prefix, where);
  } catch (error) {
    if (error instanceof NotWorthIt) return null;
    throw error;
  }
}

interface PendingFolder {
  readonly path: string;
  readonly sha: string;
}

class ChangedTreeReader {
  private readonly limit;
  private listings = 0;
  /** Known entries by the folder holding them ('' = the top). */
  private readonly children = new Map<string, SourceTreeEntry[]>();
  private readonly folderShas = new Map<string, string>();
  private readonly folderBySha = new Map<string, string>();
  /** Known entries at every level below a folder, counted when first asked. */
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly list: ListTree,
    private readonly known: KnownTree,
    concurrency: number,
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
    for (const entry of known.entries) {
      const cut = entry.path.lastIndexOf('/');
      const parent = cut < 0 ? '' : entry.path.slice(0, cut);
      const siblings = this.children.get(parent);
      if (siblings) siblings.push(entry);
      else this.children.set(parent, [entry]);
      if (entry.type === 'tree') {
        this.folderShas.set(entry.path, entry.sha);
        this.folderBySha.set(entry.sha, entry.path);
      }
    }
  }

  async read(commitSha: string, prefix: string, where: string): Promise<RootedEntries> {
    const top = await this.resolveTop(commitSha, prefix, where);
    if (top.sha === this.known.treeSha) return { treeSha: top.sha, entries: [...this.known.entries] };
    const entries: SourceTreeEntry[] = [];
    let level = [top.listing ?? (await this.request(top.sha, false, ''))];
    while (level.length > 0) {
      const stepwise: PendingFolder[] = [];
      const whole: PendingFolder[] = [];
      for (const listing of level) {
        for (const entry of listing.entries) {
          entries.push(entry);
          if (entry.type === 'tree') this.take(entry.path, entry.sha, entries, stepwise, whole);
        }
      }
      if (this.listings + stepwise.length + whole.length > MAX_CHANGED_FOLDER_LISTINGS) throw new NotWorthIt();
      const [next, listedWhole] = await Promise.all([
        Promise.all(stepwise.map(({ path, sha }) => this.request(sha, false, path))),
        Promise.all(whole.map(({ path, sha }) => this.request(sha, true, path))),
      ]);
      for (const listing of listedWhole) {
        for (const entry of listing.entries) entries.push(entry);
      }
      level = next;
    }
    return { treeSha: top.sha, entries };
  }

  /**
   * The tree at the sub-path (the root tree for none), walked down one level at a time. The top
   * listing of a whole-repository read is kept: it is the first level of the walk.
   */
  private async resolveTop(
    commitSha: string,
    prefix: string,
    where: string,
  ): Promise<{ sha: string; listing?: CompleteListing }> {
    const root = await this.request(commitSha, false, '');
    if (root.sha === undefined) throw new NotWorthIt();
    if (prefix === '') return { sha: root.sha, listing: root };
    let level = root;
    const segments = prefix.split('/');
    for (let depth = 0; ; depth++) {
      const shown = segments.slice(0, depth + 1).join('/');
      const entry = level.entries.find((candidate) => candidate.path === segments[depth]);
      if (!entry) throw new SourceError('NotFound', `sub-path '${shown}' does not exist in ${where}`);
      if (entry.type !== 'tree') throw new SourceError('NotFound', `sub-path '${shown}' is not a folder in ${where}`);
      if (depth === segments.length - 1) return { sha: entry.sha };
      level = await this.request(entry.sha, false, ''); // names compared one segment at a time
    }
  }

  /**
   * A sub-folder of a listed folder: taken from what is known; else queued to be listed one level
   * deep (it existed and was large: most of its sub-folders may be unchanged) or whole (it is new,
   * or was small enough that one listing beats walking down).
   */
  private take(
    path: string,
    sha: string,
    into: SourceTreeEntry[],
    stepwise: PendingFolder[],
    whole: PendingFolder[],
  ): void {
    if (this.folderShas.get(path) === sha) {
      this.copyKnown(path, path, into);
      return;
    }
    const elsewhere = this.folderBySha.get(sha);
    if (elsewhere !== undefined) {
      this.copyKnown(elsewhere, path, into);
      return;
    }
    const walk = this.folderShas.has(path) && this.knownSize(path) > SMALL_FOLDER_ENTRIES;
    (walk ? stepwise : whole).push({ path, sha });
  }

  private knownSize(folder: string): number {
    let size = this.sizes.get(folder);
    if (size === undefined) {
      size = 0;
      for (const entry of this.children.get(folder) ?? []) {
        size += entry.type === 'tree' ? 1 + this.knownSize(entry.path) : 1;
      }
      this.sizes.set(folder, size);
    }
    return size;
  }

  /** The known contents of folder `from`, placed under `to` (the same folder, or one moved there). */
  private copyKnown(from: string, to: string, into: SourceTreeEntry[]): void {
    for (const entry of this.children.get(from) ?? []) {
      const path = from === to ? entry.path : `${to}${entry.path.slice(from.length)}`;
      into.push(from === to ? entry : { ...entry, path });
      if (entry.type === 'tree') this.copyKnown(entry.path, path, into);
    }
  }

  /** Listing of folder `base`, paths under it. */
  private request(treeSha: string, recursive: boolean, base: string): Promise<CompleteListing> {
    this.listings++;
    return this.limit(async () => {
      const listing = await this.list(treeSha, recursive, base);
      if (listing.truncated) throw new NotWorthIt();
      return listing;
    });
  }
}
