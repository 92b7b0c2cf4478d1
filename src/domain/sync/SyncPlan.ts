import type { FileEntry, FileStoreCapabilities } from '../../ports/FileStore';
import type { SourceTreeEntry } from '../../ports/SourceRepository';
import { ancestorsOf, compareCodeUnits, pathKey } from '../workspace/PathKey';
import { normalizeRelativePath } from '../workspace/PathPolicy';
import type { Manifest, ManifestEntry } from './Manifest';
import type { SkippedEntry } from './SyncRun';
import type { TreeState } from './TreeState';

/**
 * The pure diff between a target tree and what a scope folder holds: an `rsync --delete` mirror of
 * the tree's regular files, compared by git blob SHA (via the manifest) and size, never by content.
 *
 * Applying the plan in the order writes -> deletes -> prune (deepest first) -> lateWrites turns the
 * folder into exactly the mirrored files and their parent folders. Every path is scope-relative, so
 * nothing the plan names can lie outside the scope folder.
 */

/**
 * The plan names each file to write by its path alone, sorted; what to write there is its entry in
 * `manifest` (see plannedEntry). A write object per file beside the manifest's entry doubled the
 * plan's memory at 50,000 files (issue #10).
 */
export interface SyncPlan {
  /** Safe to do before any delete. */
  readonly writes: readonly string[];
  /** Must wait until deletes and prune ran: a file becomes a folder, a folder a file, or a name changes case. */
  readonly lateWrites: readonly string[];
  /** Files to delete (scope-relative). */
  readonly deletes: readonly string[];
  /** Folders to remove (they are empty once the deletes ran), deepest first. */
  readonly prune: readonly string[];
  readonly unchanged: number;
  readonly skipped: readonly SkippedEntry[];
  /** What the manifest holds after the commit: the mirrored target files, every write among them. */
  readonly manifest: ReadonlyMap<string, ManifestEntry>;
  /** The target tree, kept beside the manifest (set by the plan step, not by planSync). */
  readonly tree?: TreeState;
}

export type PlanOutcome = { ok: true; plan: SyncPlan } | { ok: false; code: 'EmptySource'; message: string };

export interface PlanInput {
  /** Already re-rooted to the connection's sub-path; includes 'tree' entries. */
  readonly target: readonly SourceTreeEntry[];
  /** Last committed state; null on first sync. */
  readonly manifest: Manifest | null;
  /** Recursive listing of the scope folder, paths scope-relative. */
  readonly present: readonly FileEntry[];
  readonly capabilities: FileStoreCapabilities;
  /** Characters of 'orgs/<id>/' so path-length limits include it. */
  readonly scopeFolderLength: number;
  /** Files larger than this are skipped, never downloaded (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
}

/**
 * 100 MiB: GitHub refuses to store a larger file in a repository (anything bigger lives in LFS,
 * as a pointer), and its blob API serves blobs up to that size, so by default every file GitHub
 * holds is mirrored and each one can be fetched on its own.
 */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

export const SYMLINK_REASON = 'symbolic link: not mirrored';
export const SUBMODULE_REASON = 'submodule: not mirrored';

/** Why a file over the size limit is skipped. */
export function tooLargeReason(size: number, maxFileBytes: number): string {
  return `file of ${size} bytes is larger than the maximum file size of ${maxFileBytes} bytes: not mirrored`;
}

type RegularMode = '100644' | '100755';

interface Candidate {
  /** Normalised path the file would have in the folder. */
  readonly path: string;
  readonly entry: SourceTreeEntry;
  readonly mode: RegularMode;
}

interface Claim {
  readonly path: string;
  readonly kind: 'file' | 'folder';
  /** The mirrored file that made this claim (itself, or a file below the folder). */
  readonly by: string;
}

interface PresentItem {
  readonly path: string;
  readonly kind: 'file' | 'directory';
}

export function planSync(input: PlanInput): PlanOutcome {
  const { capabilities } = input;
  const present = indexPresent(input.present, capabilities.caseSensitive);
  const { candidates, skipped } = classifyTarget(input);
  const mirrored = selectMirrored(candidates, capabilities.caseSensitive, skipped);
  skipped.sort((a, b) => compareCodeUnits(a.path, b.path) || compareCodeUnits(a.reason, b.reason));

  // Guard: an empty (or entirely unmirrorable) source never empties a folder that holds something.
  const manifestSize = input.manifest?.entries.size ?? 0;
  if (mirrored.size === 0 && (input.present.length > 0 || manifestSize > 0)) {
    const held = input.present.filter((e) => e.kind === 'file').length;
    return {
      ok: false,
      code: 'EmptySource',
      message:
        `the source has no regular file to mirror (${skipped.length} entries skipped) while the scope folder ` +
        `holds ${held} files (the manifest lists ${manifestSize}); refusing to delete them. Check the branch and sub-path.`,
    };
  }

  const mirroredFolders = new Set<string>();
  for (const path of mirrored.keys()) addFoldersOf(path, mirroredFolders);

  const manifest = input.manifest;
  const trusted = manifest !== null && !manifest.dirty;
  const writes: string[] = [];
  const lateWrites: string[] = [];
  let unchanged = 0;
  for (const [path, target] of mirrored) {
    const recorded = manifest?.entries.get(path);
    const file = present.files.get(path);
    const sameAsRecorded = recorded !== undefined && recorded.sha === target.sha && recorded.mode === target.mode;
    const fileMatches =
      file !== undefined &&
      file.size === target.size &&
      (!capabilities.executableBit || file.executable === (target.mode === '100755'));
    if (trusted && sameAsRecorded && fileMatches) {
      unchanged++;
      continue;
    }
    // Written: new, changed in the source, or (manifest agreeing) repaired where the folder differs.
    (isBlocked(path, present, capabilities.caseSensitive) ? lateWrites : writes).push(path);
  }

  const deletes = [...present.files.keys()].filter((path) => !mirrored.has(path)).sort(compareCodeUnits);
  const prune = [...present.folders]
    .filter((folder) => !mirroredFolders.has(folder))
    .sort((a, b) => depth(b) - depth(a) || compareCodeUnits(a, b));

  return { ok: true, plan: { writes, lateWrites, deletes, prune, unchanged, skipped, manifest: mirrored } };
}

/** What a planned write puts at `path`: its blob, size and mode as the plan's manifest holds them. */
export function plannedEntry(plan: SyncPlan, path: string): ManifestEntry {
  const entry = plan.manifest.get(path);
  if (entry === undefined) throw new Error(`planned write ${JSON.stringify(path)} is not in the plan's manifest`);
  return entry;
}

/** Nothing to do to the folder. The caller may still record a new commit in the manifest. */
export function isNoop(plan: SyncPlan): boolean {
  return (
    plan.writes.length === 0 && plan.lateWrites.length === 0 && plan.deletes.length === 0 && plan.prune.length === 0
  );
}

/** Splits the tree into regular files the path policy accepts and entries that are skipped. */
function classifyTarget(input: PlanInput): { candidates: Candidate[]; skipped: SkippedEntry[] } {
  const candidates: Candidate[] = [];
  const skipped: SkippedEntry[] = [];
  const maxFileBytes = input.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  for (const entry of input.target) {
    if (entry.type === 'tree' || entry.mode === '040000') continue; // folders follow from their files
    if (entry.type === 'commit' || entry.mode === '160000') {
      skipped.push({ path: entry.path, reason: SUBMODULE_REASON });
      continue;
    }
    if (entry.mode === '120000') {
      skipped.push({ path: entry.path, reason: SYMLINK_REASON });
      continue;
    }
    if ((entry.size ?? 0) > maxFileBytes) {
      skipped.push({ path: entry.path, reason: tooLargeReason(entry.size ?? 0, maxFileBytes) });
      continue;
    }
    const verdict = normalizeRelativePath(entry.path, {
      maxLength: input.capabilities.maxPathLength,
      prefixLength: input.scopeFolderLength,
    });
    if (!verdict.ok) {
      skipped.push({ path: entry.path, reason: verdict.message });
      continue;
    }
    candidates.push({ path: verdict.path, entry, mode: entry.mode });
  }
  // Among paths equal after normalisation, the one already spelt in normal form wins.
  const spelling = (c: Candidate): number => (c.entry.path === c.path ? 0 : 1);
  candidates.sort(
    (a, b) =>
      compareCodeUnits(a.path, b.path) || spelling(a) - spelling(b) || compareCodeUnits(a.entry.path, b.entry.path),
  );
  return { candidates, skipped };
}

/**
 * Keeps, in sorted order, each file that can coexist with the files kept before it: no two files
 * with one store key, no file where another needs a folder, and on a case-insensitive store no
 * folder spelt two ways (the store would keep one spelling and the mirror could never match).
 */
function selectMirrored(
  candidates: readonly Candidate[],
  caseSensitive: boolean,
  skipped: SkippedEntry[],
): Map<string, ManifestEntry & { mode: RegularMode; size: number }> {
  const claims = new Map<string, Claim>();
  const mirrored = new Map<string, ManifestEntry & { mode: RegularMode; size: number }>();
  // Folders claimed as folders under their own spelling, with all their ancestors: a claim is never
  // replaced, so a file in one of them passes the folder checks without repeating them.
  const claimedFolders = new Set<string>();
  for (const candidate of candidates) {
    const cut = candidate.path.lastIndexOf('/');
    const parent = cut < 0 ? '' : candidate.path.slice(0, cut);
    const inClaimedFolder = parent === '' || claimedFolders.has(parent);
    const conflict = inClaimedFolder
      ? findFileConflict(candidate.path, claims, caseSensitive)
      : findConflict(candidate.path, claims, caseSensitive);
    if (conflict !== null) {
      skipped.push({ path: candidate.entry.path, reason: conflict });
      continue;
    }
    if (!inClaimedFolder) {
      for (const folder of ancestorsOf(candidate.path)) {
        const key = pathKey(folder, caseSensitive);
        if (!claims.has(key)) claims.set(key, { path: folder, kind: 'folder', by: candidate.path });
        claimedFolders.add(folder);
      }
    }
    claims.set(pathKey(candidate.path, caseSensitive), { path: candidate.path, kind: 'file', by: candidate.path });
    // GitHub trees always carry blob sizes; 0 only keeps the type total for a source that omits one.
    // Frozen, as every manifest entry: whoever keeps the manifest can share it instead of copying it.
    mirrored.set(
      candidate.path,
      Object.freeze({ sha: candidate.entry.sha, size: candidate.entry.size ?? 0, mode: candidate.mode }),
    );
  }
  return mirrored;
}

function findConflict(path: string, claims: ReadonlyMap<string, Claim>, caseSensitive: boolean): string | null {
  const where = caseSensitive ? '' : ' on this case-insensitive store';
  for (const folder of ancestorsOf(path)) {
    const claim = claims.get(pathKey(folder, caseSensitive));
    if (claim === undefined) continue;
    if (claim.kind === 'file') {
      return `needs the folder ${quote(folder)}, but ${quote(claim.path)} is a file there${where}; only ${quote(claim.path)} is mirrored`;
    }
    if (claim.path !== folder) {
      return `folder ${quote(folder)} collides with folder ${quote(claim.path)} (of ${quote(claim.by)})${where}; rename one`;
    }
  }
  return findFileConflict(path, claims, caseSensitive);
}

/** The conflicts of the file's own name (its folders already checked). */
function findFileConflict(path: string, claims: ReadonlyMap<string, Claim>, caseSensitive: boolean): string | null {
  const where = caseSensitive ? '' : ' on this case-insensitive store';
  const claim = claims.get(pathKey(path, caseSensitive));
  if (claim === undefined) return null;
  if (claim.kind === 'folder') {
    return `is a file where ${quote(claim.by)} needs the folder ${quote(claim.path)}${where}; only ${quote(claim.by)} is mirrored`;
  }
  if (claim.path === path) {
    return `same path as ${quote(claim.path)} after Unicode normalisation; only ${quote(claim.path)} is mirrored`;
  }
  return `collides with ${quote(claim.path)}${where}; only ${quote(claim.path)} is mirrored`;
}

interface PresentIndex {
  readonly files: ReadonlyMap<string, FileEntry>;
  /** Listed folders plus the parents of every listed entry (a listing may omit folders). */
  readonly folders: ReadonlySet<string>;
  /**
   * Store key -> what occupies it, to see a write the store would fold into another name. Only a
   * case-insensitive store needs it (elsewhere a key is the path); built on first use.
   */
  readonly byKey: () => ReadonlyMap<string, readonly PresentItem[]>;
}

function indexPresent(entries: readonly FileEntry[], caseSensitive: boolean): PresentIndex {
  const files = new Map<string, FileEntry>();
  const folders = new Set<string>();
  for (const entry of entries) {
    assertScopeRelative(entry.path);
    if (entry.kind === 'file') files.set(entry.path, entry);
    else folders.add(entry.path);
    addFoldersOf(entry.path, folders);
  }
  let byKey: Map<string, PresentItem[]> | undefined;
  const index = (): Map<string, PresentItem[]> => {
    if (byKey) return byKey;
    const built = new Map<string, PresentItem[]>();
    const add = (item: PresentItem): void => {
      const key = pathKey(item.path, caseSensitive);
      const list = built.get(key);
      if (list) list.push(item);
      else built.set(key, [item]);
    };
    for (const path of files.keys()) add({ path, kind: 'file' });
    for (const path of folders) add({ path, kind: 'directory' });
    byKey = built;
    return built;
  };
  return { files, folders, byKey: index };
}

/**
 * A write must wait for the deletes when something in the way goes away first: a file where it
 * needs a folder, a folder where it puts its file, or (case-insensitive store) the same name spelt
 * differently, which the store would otherwise reuse with the old spelling.
 */
function isBlocked(path: string, present: PresentIndex, caseSensitive: boolean): boolean {
  if (caseSensitive) {
    // A key is the path itself: only a file where a folder goes, or a folder where the file goes.
    return ancestorsOf(path).some((folder) => present.files.has(folder)) || present.folders.has(path);
  }
  const byKey = present.byKey();
  for (const folder of ancestorsOf(path)) {
    const occupants = byKey.get(pathKey(folder, caseSensitive)) ?? [];
    if (occupants.some((item) => item.kind === 'file' || item.path !== folder)) return true;
  }
  const occupants = byKey.get(pathKey(path, caseSensitive)) ?? [];
  return occupants.some((item) => item.kind === 'directory' || item.path !== path);
}

/** A listing is scope-relative by contract; anything else is an adapter bug that must not reach a delete. */
function assertScopeRelative(path: string): void {
  const segments = path.split('/');
  if (path.startsWith('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`present listing holds a path that is not scope-relative: ${JSON.stringify(path)}`);
  }
}

/** Adds the folders `path` needs; stops at the first already there (the set holds each folder's ancestors too). */
function addFoldersOf(path: string, folders: Set<string>): void {
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const folder = path.slice(0, cut);
    if (folders.has(folder)) return;
    folders.add(folder);
  }
}

function depth(path: string): number {
  return path.split('/').length;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
