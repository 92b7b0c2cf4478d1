import type { CatFileBatch } from './catFileBatch';
import type { TreeEntry } from './representations';
import { runGitBuffer } from './runGit';
import type { RawTreeEntry } from './treeObject';
import { parseTreeObject } from './treeObject';

/** An entry of one tree object, with its size when it is a blob (as `ls-tree -l` shows). */
export interface TreeNodeEntry extends RawTreeEntry {
  readonly size?: number;
}

/** A tree's own entries in git's order; sub-trees are looked up by SHA. */
export interface TreeNode {
  readonly entries: readonly TreeNodeEntry[];
  /** SHAs of the tree entries, so a walk over cached nodes skips their blobs. */
  readonly subtrees: readonly string[];
}

/** Every tree node a listing needs, by tree SHA. */
export type TreeNodes = ReadonlyMap<string, TreeNode>;

/** Entries kept across cached tree nodes (~150 bytes each): ten 10,000-file repositories. */
const NODE_CACHE_ENTRIES = 200_000;
/** Blob sizes kept by SHA, so a changed tree only asks git about its new blobs. */
const BLOB_SIZE_CACHE = 200_000;
/** Uncached trees at one depth from which a single whole `ls-tree` beats reading objects. */
const WHOLE_LISTING_THRESHOLD = 64;

/**
 * Listings of git trees as `git ls-tree [-r -t] -l` prints them, built from tree objects read
 * through the long-lived cat-file process. Trees are immutable, so each tree's entries (with
 * blob sizes) are cached by tree SHA: the recursive listing of a new commit that changed a few
 * files reads only the trees on the changed paths, and asks git for the sizes of the new blobs
 * in one batch. Real GitHub serves trees from object caches in the same spirit.
 */
export class TreeListings {
  /** LRU by insertion order: a hit moves the node to the end. */
  private readonly cache = new Map<string, TreeNode>();
  private cachedEntries = 0;
  private readonly blobSizes = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly objects: CatFileBatch,
  ) {}

  /** Entries of a tree, all the way down when `recursive` (each tree before its contents). */
  async list(treeSha: string, recursive: boolean): Promise<TreeEntry[]> {
    return flattenTree(await this.nodes(treeSha, recursive), treeSha, recursive);
  }

  /**
   * Every tree node the listing of `rootSha` needs, by SHA: cached ones, plus the others read
   * breadth-first (one pipelined batch of `contents` per depth level), then one batch of `info`
   * for the sizes of blobs never seen before. Returned as a map of its own so that cache
   * eviction during a huge listing cannot lose a node the caller still needs.
   */
  async nodes(rootSha: string, recursive: boolean): Promise<TreeNodes> {
    const nodes = new Map<string, TreeNode>();
    const read = new Map<string, RawTreeEntry[]>();
    let level = [rootSha];
    while (level.length > 0) {
      const missing: string[] = [];
      for (const sha of level) {
        const cached = this.cachedNode(sha);
        if (cached) nodes.set(sha, cached);
        else missing.push(sha);
      }
      // Nothing known about a wide level: likely a first listing. One `ls-tree` reads every
      // tree in C, about twice as fast as parsing thousands of tree objects here.
      if (recursive && missing.length >= WHOLE_LISTING_THRESHOLD) return this.listWhole(rootSha);
      const objects = await this.objects.contentsMany(missing);
      objects.forEach((object, i) => {
        if (object?.type !== 'tree') throw new Error(`tree ${missing[i]} is missing from the repository`);
        read.set(missing[i]!, parseTreeObject(object.content));
      });
      if (!recursive) break;
      const next = new Set<string>();
      for (const sha of level) {
        const subtrees =
          nodes.get(sha)?.subtrees ??
          read
            .get(sha)!
            .filter((entry) => entry.type === 'tree')
            .map((entry) => entry.sha);
        for (const subtree of subtrees) if (!nodes.has(subtree) && !read.has(subtree)) next.add(subtree);
      }
      level = [...next];
    }
    await this.learnBlobSizes(read.values());
    for (const [sha, entries] of read) {
      const node = treeNode(
        entries.map((entry) => (entry.type === 'blob' ? { ...entry, size: this.blobSizes.get(entry.sha)! } : entry)),
      );
      nodes.set(sha, node);
      this.remember(sha, node);
    }
    this.trimBlobSizes();
    return nodes;
  }

  /** Every tree node under `rootSha` from one `git ls-tree -r -t -z -l`, cached as they come. */
  private async listWhole(rootSha: string): Promise<TreeNodes> {
    const out = await runGitBuffer(this.dir, ['ls-tree', '-r', '-t', '-z', '-l', rootSha]);
    const nodes = new Map<string, TreeNode>();
    // ls-tree lists each tree right before its contents, so an entry's folder is always on the
    // stack of folders being filled; each folder keeps git's order of its entries.
    const root = { prefix: '', sha: rootSha, entries: [] as TreeNodeEntry[] };
    const open = [root];
    const close = (folder: typeof root): void => {
      // Identical folders share one SHA: the first path's entries stand for all of them.
      if (nodes.has(folder.sha)) return;
      const node = treeNode(folder.entries);
      nodes.set(folder.sha, node);
      this.remember(folder.sha, node);
    };
    for (let start = 0; start < out.length; ) {
      let end = out.indexOf(0, start);
      if (end < 0) end = out.length;
      // `<mode> <type> <sha> <size>\t<path>`; the path is raw with -z (tabs, newlines and all).
      const record = out.toString('utf8', start, end);
      start = end + 1;
      const tab = record.indexOf('\t');
      const typeAt = record.indexOf(' ') + 1;
      const shaAt = record.indexOf(' ', typeAt) + 1;
      const mode = record.slice(0, typeAt - 1);
      const type = record.slice(typeAt, shaAt - 1) as TreeNodeEntry['type'];
      const sha = record.slice(shaAt, shaAt + 40);
      const path = record.slice(tab + 1);
      while (open.length > 1 && !path.startsWith(open[open.length - 1]!.prefix)) close(open.pop()!);
      const folder = open[open.length - 1]!;
      const name = path.slice(folder.prefix.length);
      if (type === 'blob') {
        const size = Number(record.slice(shaAt + 40, tab)); // right-aligned with spaces
        folder.entries.push({ name, mode, type, sha, size });
        this.blobSizes.set(sha, size);
      } else {
        folder.entries.push({ name, mode, type, sha });
      }
      if (type === 'tree') open.push({ prefix: `${path}/`, sha, entries: [] });
    }
    while (open.length > 0) close(open.pop()!);
    this.trimBlobSizes();
    return nodes;
  }

  private async learnBlobSizes(trees: Iterable<readonly RawTreeEntry[]>): Promise<void> {
    const unknown = new Set<string>();
    for (const entries of trees) {
      for (const entry of entries) if (entry.type === 'blob' && !this.blobSizes.has(entry.sha)) unknown.add(entry.sha);
    }
    if (unknown.size === 0) return;
    const shas = [...unknown];
    const infos = await this.objects.infoMany(shas);
    infos.forEach((info, i) => {
      if (!info) throw new Error(`blob ${shas[i]} is missing from the repository`);
      this.blobSizes.set(shas[i]!, info.size);
    });
  }

  /** Oldest first; only after the nodes being built have taken their sizes. */
  private trimBlobSizes(): void {
    for (const sha of this.blobSizes.keys()) {
      if (this.blobSizes.size <= BLOB_SIZE_CACHE) break;
      this.blobSizes.delete(sha);
    }
  }

  private cachedNode(sha: string): TreeNode | undefined {
    const node = this.cache.get(sha);
    if (node) {
      this.cache.delete(sha);
      this.cache.set(sha, node);
    }
    return node;
  }

  private remember(sha: string, node: TreeNode): void {
    if (this.cache.has(sha)) return;
    this.cache.set(sha, node);
    this.cachedEntries += node.entries.length;
    for (const [oldSha, oldNode] of this.cache) {
      if (this.cachedEntries <= NODE_CACHE_ENTRIES || oldSha === sha) break;
      this.cache.delete(oldSha);
      this.cachedEntries -= oldNode.entries.length;
    }
  }
}

function treeNode(entries: readonly TreeNodeEntry[]): TreeNode {
  return { entries, subtrees: entries.filter((entry) => entry.type === 'tree').map((entry) => entry.sha) };
}

/** The `ls-tree` listing of `rootSha`: paths from the root, each tree before its contents. */
export function flattenTree(nodes: TreeNodes, rootSha: string, recursive: boolean): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (sha: string, prefix: string): void => {
    for (const entry of nodes.get(sha)!.entries) {
      const path = prefix + entry.name;
      if (entry.type === 'blob')
        out.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha, size: entry.size! });
      else out.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha });
      if (recursive && entry.type === 'tree') walk(entry.sha, `${path}/`);
    }
  };
  walk(rootSha, '');
  return out;
}
