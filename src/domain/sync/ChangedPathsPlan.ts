import type { FileStoreCapabilities } from '../../ports/FileStore';
import type { SourceTree } from '../../ports/SourceRepository';
import { ancestorsOf, compareCodeUnits } from '../workspace/PathKey';
import { normalizeRelativePath } from '../workspace/PathPolicy';
import type { Manifest, ManifestEntry } from './Manifest';
import { DEFAULT_MAX_FILE_BYTES, type SyncPlan } from './SyncPlan';

export interface ChangedPathsInput {
  /** The target tree, re-rooted to the connection's sub-path. */
  readonly tree: SourceTree;
  /** The clean manifest the folder is trusted to hold (no listing was taken). */
  readonly manifest: Manifest;
  readonly capabilities: FileStoreCapabilities;
  readonly scopeFolderLength: number;
  readonly maxFileBytes?: number;
}

/**
 * The plan `planSync` would make (tree state included), found by handling only the paths that
 * changed since the manifest's tree (issue #10): no normalisation, sorting or conflict checks for
 * the files that stayed as they were. It applies only where nothing can collide: a trusted
 * manifest whose tree mirrored every entry verbatim, a case-sensitive store, and a target of
 * regular files whose new paths are already in normal form and turn no file into a folder or back.
 * Anything else answers null and the caller plans from scratch.
 */
export function planChangedPaths(input: ChangedPathsInput): SyncPlan | null {
  const { tree, manifest, capabilities } = input;
  const known = manifest.tree;
  if (manifest.dirty || known === undefined || tree.treeSha === undefined || !capabilities.caseSensitive) return null;
  if (known.others.length > 0 || known.respelt.length > 0) return null; // the last plan skipped or re-spelt something
  const maxFileBytes = input.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const held = manifest.entries;
  const folders = new Map<string, string>();
  const mirrored = new Map<string, ManifestEntry>(held);
  const writes: string[] = [];
  const added = new Map<string, ManifestEntry>();
  let files = 0;
  let stillHeld = 0;
  for (const entry of tree.entries) {
    if (entry.type === 'tree') {
      if (entry.mode !== '040000') return null;
      folders.set(entry.path, entry.sha);
      continue;
    }
    const { path, mode, sha, size } = entry;
    if (entry.type !== 'blob' || (mode !== '100644' && mode !== '100755')) return null;
    if (size === undefined || size > maxFileBytes) return null;
    files++;
    const recorded = held.get(path);
    if (recorded === undefined) {
      added.set(path, Object.freeze({ sha, size, mode })); // frozen, as every manifest entry
      continue;
    }
    stillHeld++;
    if (recorded.sha === sha && recorded.mode === mode) {
      if (recorded.size !== size) return null; // the same blob with another size: let planSync repair it
      continue;
    }
    writes.push(path);
    mirrored.set(path, Object.freeze({ sha, size, mode })); // frozen, as every manifest entry
  }
  if (files === 0) return null; // planSync refuses an empty source

  const pathOptions = { maxLength: capabilities.maxPathLength, prefixLength: input.scopeFolderLength };
  for (const [path, entry] of added) {
    const verdict = normalizeRelativePath(path, pathOptions);
    if (!verdict.ok || verdict.path !== path) return null;
    // A file where a folder was, or a folder where a file was: the write waits for deletes.
    if (known.folders.has(path) || ancestorsOf(path).some((folder) => held.has(folder))) return null;
    writes.push(path);
    mirrored.set(path, entry);
  }

  const { deletes, prune } = stillHeld === held.size ? { deletes: [], prune: [] } : removals(tree, held, mirrored);
  writes.sort(compareCodeUnits);
  return {
    writes,
    lateWrites: [],
    deletes,
    prune,
    unchanged: files - writes.length,
    skipped: [],
    manifest: mirrored,
    tree: { treeSha: tree.treeSha, folders, others: [], respelt: [] },
  };
}

/** The held files the target no longer has (dropped from `mirrored`), and the folders they leave empty. */
function removals(
  tree: SourceTree,
  held: ReadonlyMap<string, ManifestEntry>,
  mirrored: Map<string, ManifestEntry>,
): { deletes: string[]; prune: string[] } {
  const targetFiles = new Set<string>();
  const targetFolders = new Set<string>();
  for (const entry of tree.entries) {
    if (entry.type !== 'blob') continue;
    targetFiles.add(entry.path);
    for (let cut = entry.path.lastIndexOf('/'); cut > 0; cut = entry.path.lastIndexOf('/', cut - 1)) {
      const folder = entry.path.slice(0, cut);
      if (targetFolders.has(folder)) break;
      targetFolders.add(folder);
    }
  }
  const deletes: string[] = [];
  const emptied = new Set<string>();
  for (const path of held.keys()) {
    if (targetFiles.has(path)) continue;
    deletes.push(path);
    mirrored.delete(path);
    for (const folder of ancestorsOf(path)) if (!targetFolders.has(folder)) emptied.add(folder);
  }
  deletes.sort(compareCodeUnits);
  const depth = (path: string): number => path.split('/').length;
  const prune = [...emptied].sort((a, b) => depth(b) - depth(a) || compareCodeUnits(a, b));
  return { deletes, prune };
}
