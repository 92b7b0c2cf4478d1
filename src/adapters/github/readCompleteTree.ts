import pLimit from 'p-limit';
import { SourceError, type SourceTreeEntry } from '../../ports/SourceRepository';
import { type RootedEntries, rerootEntries, type TreeListing } from './treeListing';

/** Lists one tree object, recursively or one level deep, its entries' paths under folder `base` ('' = as listed). */
export type ListTree = (treeSha: string, recursive: boolean, base: string) => Promise<TreeListing>;

/**
 * The complete tree of a commit below `prefix` ('' = whole repository), paths relative to it.
 *
 * Common case: one recursive listing. When GitHub truncates it (100,000 entries / 7 MB), the tree
 * is walked instead: one level of the truncated tree, then each sub-tree recursively, going one
 * level deeper again wherever a sub-tree is itself truncated. A level that is truncated even
 * without recursion cannot be completed: TreeIncomplete, never a partial tree.
 * Entries come out in git's pre-order (a folder, then its contents), the order of a recursive
 * listing, so a walked tree equals the untruncated one entry for entry. The SHA of the tree the
 * paths are relative to comes along.
 */
export async function readCompleteTree(
  list: ListTree,
  commitSha: string,
  prefix: string,
  where: string,
  concurrency: number,
): Promise<RootedEntries> {
  const whole = await list(commitSha, true, '');
  if (!whole.truncated) return rerootEntries(whole, prefix, where);

  const walker = new TreeWalker(list, concurrency, where);
  if (prefix === '') {
    const entries = await walker.walk(commitSha, '', false);
    return { ...(whole.sha === undefined ? {} : { treeSha: whole.sha }), entries };
  }
  // Descend to the sub-path one level at a time instead of walking the whole repository.
  let treeSha = commitSha;
  const segments = prefix.split('/');
  for (let depth = 0; depth < segments.length; depth++) {
    const level = await walker.level(treeSha, segments.slice(0, depth).join('/'));
    const shown = segments.slice(0, depth + 1).join('/');
    const entry = level.find((candidate) => candidate.path === shown);
    if (!entry) throw new SourceError('NotFound', `sub-path '${shown}' does not exist in ${where}`);
    if (entry.type !== 'tree') throw new SourceError('NotFound', `sub-path '${shown}' is not a folder in ${where}`);
    treeSha = entry.sha;
  }
  return { treeSha, entries: await walker.walk(treeSha, '', true) };
}

class TreeWalker {
  private readonly limit;
  private failed = false;

  constructor(
    private readonly list: ListTree,
    concurrency: number,
    private readonly where: string,
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  /** Only the requests are limited, not the recursion: a walk waiting on its children holds no slot. */
  private request(treeSha: string, recursive: boolean, base: string): Promise<TreeListing> {
    return this.limit(async () => {
      // After one branch of the walk failed the result is lost anyway: stop spending requests.
      if (this.failed) throw new SourceError('TreeIncomplete', `walking the tree of ${this.where} was abandoned`);
      try {
        return await this.list(treeSha, recursive, base);
      } catch (error) {
        this.failed = true;
        throw error;
      }
    });
  }

  /** One level of folder `base`, paths under it. */
  async level(treeSha: string, base: string): Promise<readonly SourceTreeEntry[]> {
    const listing = await this.request(treeSha, false, base);
    if (listing.truncated) {
      this.failed = true;
      throw new SourceError(
        'TreeIncomplete',
        `folder '${base || '/'}' of ${this.where} has more entries than GitHub lists in one answer`,
      );
    }
    return listing.entries;
  }

  /** Folder `base` and everything below it, paths under it. */
  async walk(treeSha: string, base: string, tryRecursive: boolean): Promise<readonly SourceTreeEntry[]> {
    if (tryRecursive) {
      const whole = await this.request(treeSha, true, base);
      if (!whole.truncated) return whole.entries;
    }
    const level = await this.level(treeSha, base);
    const children = await Promise.all(
      level.map((entry) => (entry.type === 'tree' ? this.walk(entry.sha, entry.path, true) : Promise.resolve([]))),
    );
    // Appended one by one: spreading a sub-tree of 100,000+ entries into push() overflows the stack.
    const entries: SourceTreeEntry[] = [];
    level.forEach((entry, index) => {
      entries.push(entry);
      for (const child of children[index] ?? []) entries.push(child);
    });
    return entries;
  }
}
