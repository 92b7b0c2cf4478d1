import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSync } from '../../../src/domain/sync/SyncPlan';
import { captureTreeState, expandTreeState } from '../../../src/domain/sync/TreeState';
import type { FileStoreCapabilities } from '../../../src/ports/FileStore';
import type { SourceTreeEntry } from '../../../src/ports/SourceRepository';

const POSIX: FileStoreCapabilities = { executableBit: true, caseSensitive: true, maxPathLength: 4096 };
const AZURE_FILES: FileStoreCapabilities = { executableBit: false, caseSensitive: false, maxPathLength: 40 };

const sorted = (entries: readonly SourceTreeEntry[]): SourceTreeEntry[] =>
  [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

// Names that exercise the plan's skips: case twins, NFD spellings, reserved and over-long names.
const segment = fc.constantFrom('a', 'A', 'b', 'caf\u00e9', 'cafe\u0301', 'con', 'x'.repeat(30), 'dir', 'Dir');
const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
const leaf = fc.record({
  mode: fc.constantFrom('100644', '100755', '120000', '160000') as fc.Arbitrary<SourceTreeEntry['mode']>,
  sha,
  size: fc.oneof(fc.nat({ max: 2_000 }), fc.constant(200 * 1024 * 1024)),
});

/** A git-shaped tree: unique paths, every folder listed as a 'tree' entry, nothing below a file. */
const tree = fc
  .array(fc.tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), leaf), { maxLength: 25 })
  .chain((files) =>
    fc.array(sha, { minLength: 20, maxLength: 20 }).map((folderShas) => {
      const entries = new Map<string, SourceTreeEntry>();
      files.forEach(([segments, file]) => {
        const path = segments.join('/');
        const folders = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
        if (
          entries.has(path) ||
          folders.some((folder) => entries.get(folder)?.type !== undefined && entries.get(folder)?.type !== 'tree')
        )
          return;
        folders.forEach((folder, i) => {
          if (!entries.has(folder))
            entries.set(folder, { path: folder, mode: '040000', type: 'tree', sha: folderShas[i]! });
        });
        const type = file.mode === '160000' ? 'commit' : 'blob';
        entries.set(path, type === 'commit' ? { path, mode: file.mode, type, sha: file.sha } : { path, type, ...file });
      });
      return [...entries.values()];
    }),
  );

describe('TreeState', () => {
  it('gives back exactly the tree it was captured from, beside the manifest planned from it', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom(POSIX, AZURE_FILES), (entries, capabilities) => {
        const outcome = planSync({ target: entries, manifest: null, present: [], capabilities, scopeFolderLength: 7 });
        const manifest = outcome.ok ? outcome.plan.manifest : new Map();
        const state = captureTreeState({ commitSha: 'c'.repeat(40), treeSha: 't'.repeat(40), entries }, manifest);
        expect(state).toBeDefined();
        const known = expandTreeState(state!, manifest);
        expect(known.treeSha).toBe('t'.repeat(40));
        expect(sorted(known.entries)).toEqual(sorted(entries));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only folders when the manifest holds every file verbatim', () => {
    const entries: SourceTreeEntry[] = [
      { path: 'a', mode: '040000', type: 'tree', sha: '1'.repeat(40) },
      { path: 'a/run.sh', mode: '100755', type: 'blob', sha: '2'.repeat(40), size: 3 },
    ];
    const manifest = new Map([['a/run.sh', { sha: '2'.repeat(40), size: 3, mode: '100755' as const }]]);
    const state = captureTreeState({ commitSha: 'c'.repeat(40), treeSha: 't'.repeat(40), entries }, manifest);
    expect(state).toEqual({
      treeSha: 't'.repeat(40),
      folders: new Map([['a', '1'.repeat(40)]]),
      others: [],
      respelt: [],
    });
  });

  it('captures nothing from a source that did not say which tree it read', () => {
    expect(captureTreeState({ commitSha: 'c'.repeat(40), entries: [] }, new Map())).toBeUndefined();
  });
});
