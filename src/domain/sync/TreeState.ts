import type { GitMode, KnownTree, SourceTree, SourceTreeEntry } from '../../ports/SourceRepository';

/** A manifest entry as this file needs it (Manifest.ts refers to TreeState, not the other way). */
interface ManifestEntry {
  readonly sha: string;
  readonly size: number;
  readonly mode: GitMode;
}

/**
 * The source tree a manifest was planned from, kept beside it so the next sync lists only the
 * folders whose SHA changed (issue #10). Stored as a difference to the manifest, which already
 * holds nearly every file of the tree: the folders, plus whatever the manifest does not hold
 * verbatim. `expandTreeState` gives back exactly the tree's entries.
 */
export interface TreeState {
  /** SHA of the tree the paths are relative to: the root tree, or the sub-path's folder. */
  readonly treeSha: string;
  /** Every folder of the tree: path -> tree SHA. */
  readonly folders: ReadonlyMap<string, string>;
  /** Entries the manifest does not hold as they are: skipped files, symlinks, submodules, re-spelt paths. */
  readonly others: readonly SourceTreeEntry[];
  /** Manifest paths no entry of the tree has verbatim (the plan normalised the entry's spelling). */
  readonly respelt: readonly string[];
}

/** The state of `tree` beside the manifest planned from it; none when the source gave no tree SHA. */
export function captureTreeState(
  tree: SourceTree,
  manifest: ReadonlyMap<string, ManifestEntry>,
): TreeState | undefined {
  if (tree.treeSha === undefined) return undefined;
  const folders = new Map<string, string>();
  const others: SourceTreeEntry[] = [];
  const verbatim = new Set<string>();
  for (const entry of tree.entries) {
    if (entry.type === 'tree' && entry.mode === '040000') {
      folders.set(entry.path, entry.sha);
      continue;
    }
    const held = entry.type === 'blob' ? manifest.get(entry.path) : undefined;
    if (held !== undefined && held.sha === entry.sha && held.mode === entry.mode && held.size === entry.size) {
      verbatim.add(entry.path);
    } else {
      others.push(entry);
    }
  }
  const respelt = verbatim.size === manifest.size ? [] : [...manifest.keys()].filter((path) => !verbatim.has(path));
  return { treeSha: tree.treeSha, folders, others, respelt };
}

/** The tree's entries again (folders first, then files; order is not part of a tree's meaning). */
export function expandTreeState(state: TreeState, manifest: ReadonlyMap<string, ManifestEntry>): KnownTree {
  const entries: SourceTreeEntry[] = [];
  for (const [path, sha] of state.folders) entries.push({ path, mode: '040000', type: 'tree', sha });
  const respelt = new Set(state.respelt);
  for (const [path, held] of manifest) {
    if (!respelt.has(path)) entries.push({ path, mode: held.mode, type: 'blob', sha: held.sha, size: held.size });
  }
  entries.push(...state.others);
  return { treeSha: state.treeSha, entries };
}
