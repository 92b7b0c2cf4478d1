import type { Scope } from '../../domain/shared/Scope';
import type { Manifest, ManifestEntry } from '../../domain/sync/Manifest';
import type { TreeState } from '../../domain/sync/TreeState';
import type { ManifestChanges } from './manifestChanges';

type OwnManifest = Omit<Manifest, 'dirty' | 'entries'> & { readonly entries: Map<string, ManifestEntry> };

/** What one stored generation of a scope's manifest decoded to, and the partition's rows with it. */
interface CachedManifest {
  readonly generation: string;
  /**
   * Without `dirty`: the header's flag changes (markDirty) while the generation stays. Its entries
   * are this cache's own Map, which nobody outside it ever holds (`advance` changes it in place).
   */
  readonly manifest: OwnManifest;
  /** Row keys besides the header that the partition held with this generation. */
  readonly rowKeys: ReadonlySet<string>;
}

/**
 * The decoded manifests of the scopes this process synced last (issue #10): a long-lived process
 * then checks the header's generation instead of reading and decoding every chunk again. A Map
 * in insertion order is the LRU; a few scopes keep memory flat. What goes in is a private copy
 * whose entries are frozen, and what comes out is a fresh Map over them: callers hold
 * ReadonlyMaps, but nothing they do can change what a later sync is answered from.
 */
export class ManifestCache {
  private readonly byScope = new Map<Scope, CachedManifest>();

  constructor(private readonly capacity = 8) {}

  /** The cached manifest of `scope` if it is of `generation`, as a copy the caller may keep. */
  hit(scope: Scope, generation: string, dirty: boolean): { manifest: Manifest; rowKeys: ReadonlySet<string> } | null {
    const cached = this.byScope.get(scope);
    if (cached === undefined || cached.generation !== generation) return null;
    this.byScope.delete(scope);
    this.byScope.set(scope, cached); // most recently used last
    return { manifest: { ...copyManifest(cached.manifest), dirty }, rowKeys: cached.rowKeys };
  }

  /**
   * The cached manifest of `scope` itself if it is of `generation`, not a copy: for a save to compare
   * against what is stored, never to hand out or change.
   */
  stored(scope: Scope, generation: string): Omit<Manifest, 'dirty'> | undefined {
    const cached = this.byScope.get(scope);
    return cached?.generation === generation ? cached.manifest : undefined;
  }

  /** Whether there is anything for `scope` (else a reader goes straight to the full read). */
  has(scope: Scope): boolean {
    return this.byScope.has(scope);
  }

  remember(generation: string, manifest: Omit<Manifest, 'dirty'>, rowKeys: ReadonlySet<string>): void {
    this.keep(manifest.scope, { generation, manifest: freezeManifest(manifest), rowKeys: new Set(rowKeys) });
  }

  /**
   * After a save of `changes` on the manifest of generation `base`: the cached copy becomes
   * `saved`'s by those changes alone, instead of a copy of every entry (issue #10: a 50,000-entry
   * copy per sync). False, and nothing kept, when the cache no longer holds `base`.
   */
  advance(
    base: string,
    generation: string,
    saved: Omit<Manifest, 'dirty' | 'entries'>,
    changes: ManifestChanges,
    rowKeys: ReadonlySet<string>,
  ): boolean {
    const cached = this.byScope.get(saved.scope);
    if (cached?.generation !== base) return false;
    const entries = cached.manifest.entries;
    for (const path of changes.removed) entries.delete(path);
    for (const [path, entry] of changes.changed) entries.set(path, frozenEntry(entry));
    const { scope, commitSha, tree } = saved;
    const manifest =
      tree === undefined ? { scope, commitSha, entries } : { scope, commitSha, entries, tree: freezeTree(tree) };
    this.keep(scope, { generation, manifest, rowKeys: new Set(rowKeys) });
    return true;
  }

  forget(scope: Scope): void {
    this.byScope.delete(scope);
  }

  private keep(scope: Scope, cached: CachedManifest): void {
    this.byScope.delete(scope);
    this.byScope.set(scope, cached); // most recently used last
    for (const oldest of this.byScope.keys()) {
      if (this.byScope.size <= this.capacity) break;
      this.byScope.delete(oldest);
    }
  }
}

/**
 * A copy of `manifest` that shares nothing mutable with the caller's objects. Entries already
 * frozen (as the planners and the codec make them) are shared: a copy of each was ~2 MB of the
 * peak at 50,000 files (issue #10).
 */
function freezeManifest(manifest: Omit<Manifest, 'dirty'>): OwnManifest {
  const entries = new Map<string, ManifestEntry>();
  for (const [path, entry] of manifest.entries) entries.set(path, frozenEntry(entry));
  const base = { scope: manifest.scope, commitSha: manifest.commitSha, entries };
  return manifest.tree === undefined ? base : { ...base, tree: freezeTree(manifest.tree) };
}

function frozenEntry(entry: ManifestEntry): ManifestEntry {
  if (Object.isFrozen(entry)) return entry;
  const { sha, size, mode } = entry;
  return Object.freeze({ sha, size, mode });
}

function freezeTree(tree: TreeState): TreeState {
  return {
    treeSha: tree.treeSha,
    folders: new Map(tree.folders),
    others: Object.freeze(tree.others.map((entry) => Object.freeze({ ...entry }))),
    respelt: Object.freeze([...tree.respelt]),
  };
}

/** Fresh Maps over the frozen entries: a caller's set or delete stays in its copy. */
function copyManifest(manifest: Omit<Manifest, 'dirty'>): Omit<Manifest, 'dirty'> {
  const base = { scope: manifest.scope, commitSha: manifest.commitSha, entries: new Map(manifest.entries) };
  const tree = manifest.tree;
  return tree === undefined ? base : { ...base, tree: { ...tree, folders: new Map(tree.folders) } };
}
