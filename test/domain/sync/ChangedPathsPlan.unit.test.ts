import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChangedPaths } from '../../../src/domain/sync/ChangedPathsPlan';
import type { Manifest } from '../../../src/domain/sync/Manifest';
import { filesOfManifest } from '../../../src/domain/sync/ManifestCheck';
import { planSync } from '../../../src/domain/sync/SyncPlan';
import { captureTreeState } from '../../../src/domain/sync/TreeState';
import type { FileStoreCapabilities } from '../../../src/ports/FileStore';
import type { SourceTree, SourceTreeEntry } from '../../../src/ports/SourceRepository';

const POSIX: FileStoreCapabilities = { executableBit: true, caseSensitive: true, maxPathLength: 4096 };
const AZURE_FILES: FileStoreCapabilities = { executableBit: false, caseSensitive: false, maxPathLength: 4096 };
const FOLDER_LENGTH = 7;

// Few names and few blobs, so that two trees share many paths and contents. One tree in five
// also has names and modes the plan skips or re-spells.
const plainSegment = fc.constantFrom('a', 'b', 'c', 'dir');
const oddSegment = fc.constantFrom('a', 'b', 'dir', 'A', 'cafe\u0301', 'caf\u00e9', 'con');
const blobSha = fc.constantFrom('1', '2', '3').map((digit) => digit.repeat(40));
const plainMode = fc.constantFrom('100644', '100755') as fc.Arbitrary<SourceTreeEntry['mode']>;
const oddMode = fc.constantFrom('100644', '100755', '120000') as fc.Arbitrary<SourceTreeEntry['mode']>;
const file = (odd: boolean) =>
  fc.tuple(
    fc.array(odd ? oddSegment : plainSegment, { minLength: 1, maxLength: 3 }),
    blobSha,
    odd ? oddMode : plainMode,
  );

/** A git-shaped tree (unique paths, folders listed, nothing below a file); a blob's size follows from its SHA. */
const tree: fc.Arbitrary<SourceTree> = fc
  .oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 })
  .chain((odd) => fc.array(file(odd), { minLength: 1, maxLength: 20 }))
  .map((files) => {
    const entries = new Map<string, SourceTreeEntry>();
    for (const [segments, sha, fileMode] of files) {
      const path = segments.join('/');
      const folders = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
      if (entries.has(path) || folders.some((folder) => entries.has(folder) && entries.get(folder)?.type !== 'tree'))
        continue;
      for (const folder of folders) {
        if (!entries.has(folder))
          entries.set(folder, { path: folder, mode: '040000', type: 'tree', sha: 'f'.repeat(40) });
      }
      entries.set(path, { path, mode: fileMode, type: 'blob', sha, size: Number(sha[0]) * 10 });
    }
    // Folder SHAs from their contents, as git names them.
    const listed = [...entries.values()].map((entry) =>
      entry.type === 'tree' ? { ...entry, sha: folderSha(entry.path, entries) } : entry,
    );
    return { commitSha: 'c'.repeat(40), treeSha: folderSha('', entries), entries: listed };
  });

function folderSha(folder: string, entries: ReadonlyMap<string, SourceTreeEntry>): string {
  const below = [...entries.values()]
    .filter((entry) => entry.type !== 'tree' && (folder === '' || entry.path.startsWith(`${folder}/`)))
    .map((entry) => `${entry.path}:${entry.sha}:${entry.mode}`)
    .sort()
    .join('|');
  let hash = 0;
  for (let i = 0; i < below.length; i++) hash = (hash * 31 + below.charCodeAt(i)) >>> 0;
  return hash.toString(16).padStart(40, '0');
}

/** The clean manifest (with its tree state) a full plan of `source` leaves. */
function manifestOf(source: SourceTree, capabilities: FileStoreCapabilities): Manifest | null {
  const outcome = planSync({
    target: source.entries,
    manifest: null,
    present: [],
    capabilities,
    scopeFolderLength: FOLDER_LENGTH,
  });
  if (!outcome.ok) return null;
  const tree = captureTreeState(source, outcome.plan.manifest);
  return {
    scope: 'GLOBAL' as Manifest['scope'],
    commitSha: 'c'.repeat(40),
    entries: outcome.plan.manifest,
    dirty: false,
    tree,
  };
}

/** What the plan step made before: planSync over everything, then the tree state captured. */
function fullPlan(target: SourceTree, manifest: Manifest, capabilities: FileStoreCapabilities) {
  const outcome = planSync({
    target: target.entries,
    manifest,
    present: filesOfManifest(manifest),
    capabilities,
    scopeFolderLength: FOLDER_LENGTH,
  });
  if (!outcome.ok) return outcome;
  return { ...outcome.plan, tree: captureTreeState(target, outcome.plan.manifest) };
}

describe('planChangedPaths', () => {
  it('makes the very plan planSync makes, or declines', () => {
    let planned = 0;
    fc.assert(
      fc.property(tree, tree, fc.constantFrom(POSIX, AZURE_FILES), (before, after, capabilities) => {
        const manifest = manifestOf(before, capabilities);
        if (manifest === null) return;
        const input = { tree: after, manifest, capabilities, scopeFolderLength: FOLDER_LENGTH };
        const changed = planChangedPaths(input);
        if (changed === null) return;
        planned++;
        expect(changed).toEqual(fullPlan(after, manifest, capabilities));
      }),
      { numRuns: 2_000 },
    );
    expect(planned).toBeGreaterThan(100); // the shortcut is taken often enough to be tested
  });

  it('plans changed, added and deleted files without looking at the others', () => {
    const file = (path: string, sha: string): SourceTreeEntry => ({ path, mode: '100644', type: 'blob', sha, size: 3 });
    const folder = (path: string, sha: string): SourceTreeEntry => ({ path, mode: '040000', type: 'tree', sha });
    const before: SourceTree = {
      commitSha: 'c'.repeat(40),
      treeSha: 't1',
      entries: [
        folder('x', 'x1'),
        folder('x/y', 'y1'),
        file('x/y/a.ps1', 'a1'),
        file('x/b.ps1', 'b1'),
        file('c.ps1', 'c1'),
      ],
    };
    const after: SourceTree = {
      commitSha: 'd'.repeat(40),
      treeSha: 't2',
      entries: [folder('x', 'x2'), file('x/b.ps1', 'b2'), file('c.ps1', 'c1'), file('new.ps1', 'n1')],
    };
    const manifest = manifestOf(before, POSIX)!;
    const plan = planChangedPaths({ tree: after, manifest, capabilities: POSIX, scopeFolderLength: FOLDER_LENGTH });
    expect(plan).toMatchObject({
      writes: ['new.ps1', 'x/b.ps1'],
      lateWrites: [],
      deletes: ['x/y/a.ps1'],
      prune: ['x/y'],
      unchanged: 1,
      tree: { treeSha: 't2', folders: new Map([['x', 'x2']]), others: [], respelt: [] },
    });
    expect(plan).toEqual(fullPlan(after, manifest, POSIX));
  });

  it('declines where a collision or a skip is possible', () => {
    const file = (path: string, fileMode: SourceTreeEntry['mode'] = '100644'): SourceTreeEntry => ({
      path,
      mode: fileMode,
      type: 'blob',
      sha: 's'.repeat(40),
      size: 3,
    });
    const before: SourceTree = { commitSha: 'c'.repeat(40), treeSha: 't1', entries: [file('a.ps1')] };
    const manifest = manifestOf(before, POSIX)!;
    const plan = (entries: SourceTreeEntry[], capabilities = POSIX, from = manifest) =>
      planChangedPaths({
        tree: { commitSha: 'd'.repeat(40), treeSha: 't2', entries },
        manifest: from,
        capabilities,
        scopeFolderLength: FOLDER_LENGTH,
      });
    expect(plan([file('a.ps1'), file('b.ps1')])).not.toBeNull();
    expect(plan([file('a.ps1'), file('b.ps1')], AZURE_FILES)).toBeNull();
    expect(plan([file('a.ps1'), file('b.ps1')], POSIX, { ...manifest, dirty: true })).toBeNull();
    expect(plan([file('a.ps1'), file('link', '120000')])).toBeNull();
    expect(plan([file('a.ps1'), file('cafe\u0301.ps1')])).toBeNull();
    expect(plan([file('a.ps1/inner.ps1')])).toBeNull();
    expect(plan([])).toBeNull();
  });
});
