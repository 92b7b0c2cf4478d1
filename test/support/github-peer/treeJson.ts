import type { RepoView, TreeEntry } from './representations';
import type { TreeNodeEntry, TreeNodes } from './treeListings';
import { flattenTree } from './treeListings';

/** A response body as buffers to write in order (they share cached fragments). */
export interface TreeJsonBody {
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

/**
 * The JSON of one sub-tree's listing at one path prefix, as a rope: its own entries' bytes
 * interleaved with its sub-trees' fragments. Every entry starts with a comma; the body drops
 * the very first one.
 */
interface Fragment {
  readonly parts: ReadonlyArray<Buffer | Fragment>;
  readonly bytes: number;
}

interface RenderJob {
  /** `{api}/repos/{owner}/{name}/git`, JSON-escaped. */
  readonly base: string;
  readonly nodes: TreeNodes;
  readonly recursive: boolean;
  readonly counts: (sha: string) => number;
}

/** Sub-trees with fewer entries are serialised inside their parent's fragment. */
const MIN_FRAGMENT_ENTRIES = 64;
/** Bytes of fragments kept (counted per fragment, so shared sub-tree bytes count more than once). */
const FRAGMENT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Writes `GET /git/trees/{sha}` bodies byte for byte as JSON.stringify(shapes.gitTree(...)) would,
 * from JSON fragments cached per (repository, sub-tree SHA, path prefix). A new commit that
 * changed ten files shares almost all its sub-trees, at the same paths, with the commit before
 * it: only the trees on the changed paths are serialised again, and no 2 MB string is built.
 */
export class TreeJsonRenderer {
  /** LRU by insertion order: a hit moves the fragment to the end. */
  private readonly fragments = new Map<string, Fragment>();
  private cachedBytes = 0;

  render(view: RepoView, treeSha: string, nodes: TreeNodes, recursive: boolean, limits: TreeLimits): TreeJsonBody {
    const base = jsonText(`${view.api}/repos/${view.owner}/${view.name}/git`);
    const counts = entryCounts(nodes, recursive);
    const whole =
      counts(treeSha) > limits.entries ? undefined : this.fragment({ base, nodes, recursive, counts }, treeSha, '');
    const truncated = whole === undefined || whole.bytes > limits.bytes;
    const chunks: Buffer[] = [];
    if (truncated) {
      const kept = firstEntries(flattenTree(nodes, treeSha, recursive), base, limits);
      if (kept.length > 0) chunks.push(Buffer.from(kept.join(''), 'utf8'));
    } else {
      flatten(whole, chunks);
    }
    if (chunks.length > 0) chunks[0] = chunks[0]!.subarray(1); // the first entry's comma
    chunks.unshift(Buffer.from(`{"sha":"${treeSha}","url":"${base}/trees/${treeSha}","tree":[`, 'utf8'));
    chunks.push(Buffer.from(`],"truncated":${truncated}}`, 'utf8'));
    return { chunks, length: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
  }

  private fragment(job: RenderJob, sha: string, prefix: string): Fragment {
    const key = `${job.recursive ? 'r' : 'd'}\0${job.base}\0${prefix}\0${sha}`;
    const cached = this.fragments.get(key);
    if (cached) {
      this.fragments.delete(key);
      this.fragments.set(key, cached);
      return cached;
    }
    const parts: Array<Buffer | Fragment> = [];
    let bytes = 0;
    let pending = '';
    const flushPending = (): void => {
      if (pending.length === 0) return;
      const buffer = Buffer.from(pending, 'utf8');
      parts.push(buffer);
      bytes += buffer.length;
      pending = '';
    };
    // Small sub-trees are written inline: caching thousands of tiny fragments costs a first
    // listing more than re-serialising a few small folders costs a later one.
    const inline = (treeSha: string, treePrefix: string): void => {
      for (const entry of job.nodes.get(treeSha)!.entries) {
        const path = treePrefix + entry.name;
        pending += entryJson(job.base, path, entry);
        if (!job.recursive || entry.type !== 'tree') continue;
        if (job.counts(entry.sha) < MIN_FRAGMENT_ENTRIES) {
          inline(entry.sha, `${path}/`);
          continue;
        }
        flushPending();
        const child = this.fragment(job, entry.sha, `${path}/`);
        parts.push(child);
        bytes += child.bytes;
      }
    };
    inline(sha, prefix);
    flushPending();
    const fragment: Fragment = { parts, bytes };
    this.remember(key, fragment);
    return fragment;
  }

  private remember(key: string, fragment: Fragment): void {
    this.fragments.set(key, fragment);
    this.cachedBytes += fragment.bytes;
    for (const [oldKey, old] of this.fragments) {
      if (this.cachedBytes <= FRAGMENT_CACHE_BYTES || oldKey === key) break;
      this.fragments.delete(oldKey);
      this.cachedBytes -= old.bytes;
    }
  }
}

/** What one listing may hold, as GitHub limits a recursive one: entries, and bytes of entries. */
export interface TreeLimits {
  readonly entries: number;
  readonly bytes: number;
}

/** The JSON of the leading entries that fit within both limits (GitHub keeps the first ones). */
function firstEntries(entries: readonly TreeEntry[], base: string, limits: TreeLimits): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const json = entryJson(base, entry.path, entry);
    bytes += Buffer.byteLength(json, 'utf8');
    if (kept.length >= limits.entries || bytes > limits.bytes) break;
    kept.push(json);
  }
  return kept;
}

/** Entries in each sub-tree's listing, memoised by SHA (no listing is built to count). */
function entryCounts(nodes: TreeNodes, recursive: boolean): (sha: string) => number {
  const counts = new Map<string, number>();
  const count = (sha: string): number => {
    const known = counts.get(sha);
    if (known !== undefined) return known;
    const node = nodes.get(sha)!;
    let total = node.entries.length;
    if (recursive) for (const subtree of node.subtrees) total += count(subtree);
    counts.set(sha, total);
    return total;
  };
  return count;
}

function flatten(fragment: Fragment, out: Buffer[]): void {
  for (const part of fragment.parts) {
    if (Buffer.isBuffer(part)) out.push(part);
    else flatten(part, out);
  }
}

/** A string's JSON form without the quotes, exactly as JSON.stringify escapes it. */
function jsonText(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** One entry, with a leading comma, keys in the order shapes.gitTree gives them. */
function entryJson(base: string, path: string, entry: TreeNodeEntry | TreeEntry): string {
  const head = `,{"path":${JSON.stringify(path)},"mode":"${entry.mode}","type":"${entry.type}","sha":"${entry.sha}"`;
  if (entry.type === 'blob') return `${head},"size":${entry.size},"url":"${base}/blobs/${entry.sha}"}`;
  if (entry.type === 'tree') return `${head},"url":"${base}/trees/${entry.sha}"}`;
  // Submodule entries point at a commit in another repository: GitHub gives them no url.
  return `${head}}`;
}
