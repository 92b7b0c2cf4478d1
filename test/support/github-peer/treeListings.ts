import type { CatFileBatch } from './catFileBatch';
import type { TreeEntry } from './representations';
import { parseTreeObject } from './treeObject';
import type { RawTreeEntry } from './treeObject';

/** A tree's own entries with blob sizes filled in; sub-trees are looked up by SHA. */
type TreeNode = ReadonlyArray<RawTreeEntry & { readonly size?: number }>;

/** Entries kept across cached tree nodes (~150 bytes each): ten 10,000-file repositories. */
const NODE_CACHE_ENTRIES = 200_000;
/** Blob sizes kept by SHA, so a changed tree only asks git about its new blobs. */
const BLOB_SIZE_CACHE = 200_000;

/**
 * Listings of git trees as `git ls-tree [-r -t] -l` prints them, built from tree objects read
 * through the long-lived cat-file process. Trees are immutable, so each tree's entries (with
 * blob sizes) are cached by tree SHA: the recursive listing of a new commit that changed a few
 * files reads only the trees on the changed paths, and asks git for the sizes of the new blobs
 * in one batch. Real GitHub serves trees from object caches in the same spirit.
 */
export class TreeListings {
  /** LRU by insertion order: a hit moves the node to the end. */
  private readonly nodes = new Map<string, TreeNode>();
  private cachedEntries = 0;
  private readonly blobSizes = new Map<string, number>();

  constructor(private readonly objects: CatFileBatch) {}

  /** Entries of a tree, all the way down when `recursive` (each tree before its contents). */
  async list(treeSha: string, recursive: boolean): Promise<TreeEntry[]> {
    const nodes = await this.load(treeSha, recursive);
    const out: TreeEntry[] = [];
    const walk = (sha: string, prefix: string): void => {
      for (const entry of nodes.get(sha)!) {
        const path = prefix + entry.name;
        if (entry.type === 'blob') out.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha, size: entry.size! });
        else out.push({ path, mode: entry.mode, type: entry.type, sha: entry.sha });
        if (recursive && entry.type === 'tree') walk(entry.sha, `${path}/`);
      }
    };
    walk(treeSha, '');
    return out;
  }

  /**
   * Every tree node the listing needs, by SHA: cached ones, plus the others read breadth-first
   * (one pipelined batch of `contents` per depth level), then one batch of `info` for the
   * sizes of blobs never seen before. Held in a local map so that cache eviction during a huge
   * listing cannot lose a node the walk still needs.
   */
  private async load(rootSha: string, recursive: boolean): Promise<Map<string, TreeNode>> {
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
      const objects = await Promise.all(missing.map((sha) => this.objects.contents(sha)));
      objects.forEach((object, i) => {
        if (!object || object.type !== 'tree') throw new Error(`tree ${missing[i]} is missing from the repository`);
        read.set(missing[i]!, parseTreeObject(object.content));
      });
      if (!recursive) break;
      const next = new Set<string>();
      for (const sha of level) {
        for (const entry of nodes.get(sha) ?? read.get(sha)!) {
          if (entry.type === 'tree' && !nodes.has(entry.sha) && !read.has(entry.sha)) next.add(entry.sha);
        }
      }
      level = [...next];
    }
    await this.learnBlobSizes(read.values());
    for (const [sha, entries] of read) {
      const node: TreeNode = entries.map((entry) => (entry.type === 'blob' ? { ...entry, size: this.blobSizes.get(entry.sha)! } : entry));
      nodes.set(sha, node);
      this.remember(sha, node);
    }
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
    const node = this.nodes.get(sha);
    if (node) {
      this.nodes.delete(sha);
      this.nodes.set(sha, node);
    }
    return node;
  }

  private remember(sha: string, node: TreeNode): void {
    if (this.nodes.has(sha)) return;
    this.nodes.set(sha, node);
    this.cachedEntries += node.length;
    for (const [oldSha, oldNode] of this.nodes) {
      if (this.cachedEntries <= NODE_CACHE_ENTRIES || oldSha === sha) break;
      this.nodes.delete(oldSha);
      this.cachedEntries -= oldNode.length;
    }
  }
}
