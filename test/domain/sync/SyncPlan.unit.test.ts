import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { Manifest, ManifestEntry } from '../../../src/domain/sync/Manifest';
import {
  DEFAULT_MAX_FILE_BYTES,
  isNoop,
  type PlanInput,
  plannedEntry,
  planSync,
  SUBMODULE_REASON,
  SYMLINK_REASON,
  type SyncPlan,
  tooLargeReason,
} from '../../../src/domain/sync/SyncPlan';
import { ancestorsOf, compareCodeUnits, pathKey } from '../../../src/domain/workspace/PathKey';
import { normalizeRelativePath } from '../../../src/domain/workspace/PathPolicy';
import type { FileEntry, FileStoreCapabilities } from '../../../src/ports/FileStore';
import type { GitMode, SourceTreeEntry } from '../../../src/ports/SourceRepository';

// ---------------------------------------------------------------------------------------------
// A tiny model of a store, strict enough to catch a plan applied in the wrong order: it refuses a
// file under a file, a file over a folder, deleting what is not there and pruning a non-empty
// folder; on a case-insensitive store it keeps the existing spelling, as Windows and Azure Files do.
// ---------------------------------------------------------------------------------------------

interface ModelEntry {
  path: string;
  kind: 'file' | 'directory';
  size: number;
  executable: boolean;
}

class ModelStore {
  private readonly entries = new Map<string, ModelEntry>();
  constructor(readonly capabilities: FileStoreCapabilities) {}

  private key(path: string): string {
    return pathKey(path, this.capabilities.caseSensitive);
  }

  /** mkdir -p; returns the folder's path as the store spells it. */
  makeFolders(path: string): string {
    let actual = '';
    for (const segment of path.split('/')) {
      const wanted = actual === '' ? segment : `${actual}/${segment}`;
      const existing = this.entries.get(this.key(wanted));
      if (existing?.kind === 'file') throw new Error(`cannot create folder ${wanted}: ${existing.path} is a file`);
      if (!existing)
        this.entries.set(this.key(wanted), { path: wanted, kind: 'directory', size: 0, executable: false });
      actual = existing?.path ?? wanted;
    }
    return actual;
  }

  write(path: string, size: number, executable: boolean): void {
    const parent = ancestorsOf(path).at(-1);
    const name = path.slice(path.lastIndexOf('/') + 1);
    const actual = parent === undefined ? name : `${this.makeFolders(parent)}/${name}`;
    const existing = this.entries.get(this.key(actual));
    if (existing?.kind === 'directory') throw new Error(`cannot write ${path}: ${existing.path} is a folder`);
    const stored = { size, executable: this.capabilities.executableBit && executable, kind: 'file' as const };
    this.entries.set(this.key(actual), { ...stored, path: existing?.path ?? actual });
  }

  deleteFile(path: string): void {
    const existing = this.entries.get(this.key(path));
    if (existing?.kind !== 'file' || existing.path !== path) throw new Error(`delete ${path}: no such file`);
    this.entries.delete(this.key(path));
  }

  pruneFolder(path: string): void {
    const existing = this.entries.get(this.key(path));
    if (existing?.kind !== 'directory' || existing.path !== path) throw new Error(`prune ${path}: no such folder`);
    const prefix = `${this.key(path)}/`;
    const child = [...this.entries.values()].find((e) => this.key(e.path).startsWith(prefix));
    if (child) throw new Error(`prune ${path}: not empty, holds ${child.path}`);
    this.entries.delete(this.key(path));
  }

  /** rm -rf, for tampering with a folder between syncs. */
  remove(path: string): void {
    const key = this.key(path);
    for (const k of [...this.entries.keys()]) if (k === key || k.startsWith(`${key}/`)) this.entries.delete(k);
  }

  list(): FileEntry[] {
    return [...this.entries.values()]
      .map((e) => ({ path: e.path, kind: e.kind, size: e.size, executable: e.executable, modifiedAt: new Date(0) }))
      .sort((a, b) => compareCodeUnits(a.path, b.path));
  }
}

function applyPlan(store: ModelStore, plan: SyncPlan): void {
  const write = (path: string): void => {
    const entry = plannedEntry(plan, path);
    store.write(path, entry.size, entry.mode === '100755');
  };
  plan.writes.forEach(write);
  for (const path of plan.deletes) store.deleteFile(path);
  for (const path of plan.prune) store.pruneFolder(path);
  plan.lateWrites.forEach(write);
}

// ---------------------------------------------------------------------------------------------
// Helpers for example tests
// ---------------------------------------------------------------------------------------------

const POSIX: FileStoreCapabilities = { executableBit: true, caseSensitive: true, maxPathLength: 4096 };
const AZURE_FILES: FileStoreCapabilities = { executableBit: false, caseSensitive: false, maxPathLength: 2048 };
const SCOPE = 'org1' as Scope;
const FOLDER_LENGTH = 'orgs/org1/'.length;

function blob(path: string, sha: string, size: number, mode: GitMode = '100644'): SourceTreeEntry {
  return { path, sha, size, mode, type: 'blob' };
}
function file(path: string, size: number, executable = false): FileEntry {
  return { path, kind: 'file', size, executable, modifiedAt: new Date(0) };
}
function folder(path: string): FileEntry {
  return { path, kind: 'directory', size: 0, executable: false, modifiedAt: new Date(0) };
}
function manifestOf(entries: Record<string, ManifestEntry>, dirty = false): Manifest {
  return { scope: SCOPE, commitSha: 'c0', entries: new Map(Object.entries(entries)), dirty };
}
function plan(partial: Partial<PlanInput>): SyncPlan {
  const outcome = planSync({
    target: [],
    manifest: null,
    present: [],
    capabilities: POSIX,
    scopeFolderLength: FOLDER_LENGTH,
    ...partial,
  });
  if (!outcome.ok) throw new Error(`expected a plan, got ${outcome.code}: ${outcome.message}`);
  return outcome.plan;
}

// ---------------------------------------------------------------------------------------------
// Examples
// ---------------------------------------------------------------------------------------------

describe('planSync: what is written', () => {
  const target = [blob('a.py', 's1', 10)];

  it('a file neither in the manifest nor present, with its blob, size and mode in the manifest', () => {
    const p = plan({ target });
    expect(p.writes).toEqual(['a.py']);
    expect(plannedEntry(p, 'a.py')).toEqual({ sha: 's1', size: 10, mode: '100644' });
    expect(p.unchanged).toBe(0);
  });

  it('a file whose manifest entry holds another sha or mode', () => {
    const present = [file('a.py', 10)];
    expect(
      plan({ target, present, manifest: manifestOf({ 'a.py': { sha: 's0', size: 10, mode: '100644' } }) }).writes,
    ).toEqual(['a.py']);
    const modeChanged = plan({
      target,
      present,
      manifest: manifestOf({ 'a.py': { sha: 's1', size: 10, mode: '100755' } }),
    });
    expect(modeChanged.writes).toEqual(['a.py']);
    expect(plannedEntry(modeChanged, 'a.py').mode).toBe('100644');
  });

  it('a file present but not in the manifest (first sync over existing files)', () => {
    expect(plan({ target, present: [file('a.py', 10)] }).writes).toEqual(['a.py']);
  });

  it('names a path the plan does not write as a programming error', () => {
    expect(() => plannedEntry(plan({ target }), 'b.py')).toThrow(/not in the plan's manifest/);
  });

  it('unchanged: clean manifest agrees and the file has the recorded size', () => {
    const p = plan({
      target,
      present: [file('a.py', 10)],
      manifest: manifestOf({ 'a.py': { sha: 's1', size: 10, mode: '100644' } }),
    });
    expect(isNoop(p)).toBe(true);
    expect(p.unchanged).toBe(1);
    expect([...p.manifest]).toEqual([['a.py', { sha: 's1', size: 10, mode: '100644' }]]);
  });

  describe('a repair: the manifest agrees but the folder does not', () => {
    const manifest = manifestOf({ 'a.py': { sha: 's1', size: 10, mode: '100644' } });
    it.each([
      ['the file is missing', [] as FileEntry[], manifest],
      ['the size differs', [file('a.py', 11)], manifest],
      ['the executable bit differs', [file('a.py', 10, true)], manifest],
      [
        'the manifest is dirty',
        [file('a.py', 10)],
        manifestOf({ 'a.py': { sha: 's1', size: 10, mode: '100644' } }, true),
      ],
    ])('%s', (_name, present, m) => {
      expect(plan({ target, present, manifest: m }).writes).toEqual(['a.py']);
    });
  });

  it('ignores the executable bit on a store that cannot keep it', () => {
    const exec = [blob('run.sh', 's1', 5, '100755')];
    const manifest = manifestOf({ 'run.sh': { sha: 's1', size: 5, mode: '100755' } });
    expect(
      isNoop(plan({ target: exec, present: [file('run.sh', 5, false)], manifest, capabilities: AZURE_FILES })),
    ).toBe(true);
    expect(plan({ target: exec, present: [file('run.sh', 5, false)], manifest }).writes).toEqual(['run.sh']);
  });
});

describe('planSync: skipped entries', () => {
  it('skips symbolic links and submodules, and deletes files that sit where they are', () => {
    const p = plan({
      target: [
        blob('keep.py', 's1', 1),
        blob('link', 's2', 7, '120000'),
        { path: 'vendor/lib', mode: '160000', type: 'commit', sha: 'c9' },
        { path: 'vendor', mode: '040000', type: 'tree', sha: 't1' },
      ],
      present: [file('link', 3), folder('vendor'), folder('vendor/lib'), file('vendor/lib/x', 1)],
    });
    expect(p.skipped).toEqual([
      { path: 'link', reason: SYMLINK_REASON },
      { path: 'vendor/lib', reason: SUBMODULE_REASON },
    ]);
    expect(p.deletes).toEqual(['link', 'vendor/lib/x']);
    expect(p.prune).toEqual(['vendor/lib', 'vendor']);
    expect([...p.manifest.keys()]).toEqual(['keep.py']);
  });

  it('skips a file larger than the maximum file size, with the sizes in the reason, and deletes an older copy', () => {
    const p = plan({
      target: [blob('small.bin', 's1', 1_000), blob('exact.bin', 's2', 1_024), blob('huge.bin', 's3', 1_025)],
      present: [file('huge.bin', 10)],
      maxFileBytes: 1_024,
    });
    expect(p.skipped).toEqual([{ path: 'huge.bin', reason: tooLargeReason(1_025, 1_024) }]);
    expect(tooLargeReason(1_025, 1_024)).toBe(
      'file of 1025 bytes is larger than the maximum file size of 1024 bytes: not mirrored',
    );
    expect(p.writes).toEqual(['exact.bin', 'small.bin']);
    expect(p.deletes).toEqual(['huge.bin']);
    expect([...p.manifest.keys()].sort()).toEqual(['exact.bin', 'small.bin']);
  });

  it('mirrors files up to 100 MiB by default, and skips larger ones', () => {
    const p = plan({
      target: [blob('limit.bin', 's1', DEFAULT_MAX_FILE_BYTES), blob('over.bin', 's2', DEFAULT_MAX_FILE_BYTES + 1)],
    });
    expect(DEFAULT_MAX_FILE_BYTES).toBe(104_857_600);
    expect(p.writes).toEqual(['limit.bin']);
    expect(p.skipped).toEqual([
      { path: 'over.bin', reason: tooLargeReason(DEFAULT_MAX_FILE_BYTES + 1, DEFAULT_MAX_FILE_BYTES) },
    ]);
  });

  it('skips paths the policy refuses, with the policy message, and deletes a file already there', () => {
    const p = plan({
      target: [blob('ok.py', 's1', 1), blob('lib/con.py', 's2', 1), blob('a:b', 's3', 1), blob('x/../y', 's4', 1)],
      present: [file('lib/con.py', 1), file('ok.py', 1)],
    });
    expect(p.skipped.map((s) => s.path)).toEqual(['a:b', 'lib/con.py', 'x/../y']);
    expect(p.skipped[1]?.reason).toContain('"con.py"');
    expect(p.deletes).toEqual(['lib/con.py']);
    expect(p.prune).toEqual(['lib']);
  });

  it('counts the scope folder against the store path limit', () => {
    const name = 'n'.repeat(20);
    const caps = { ...POSIX, maxPathLength: FOLDER_LENGTH + 20 };
    expect(plan({ target: [blob(name, 's', 1)], capabilities: caps }).skipped).toEqual([]);
    const p = plan({ target: [blob(name, 's', 1), blob(`${name}x`, 's', 1)], capabilities: caps });
    expect(p.skipped).toMatchObject([{ path: `${name}x`, reason: expect.stringContaining('limit is 30') }]);
  });

  it('on a case-insensitive store keeps the first of two case variants and names it', () => {
    const target = [blob('readme.md', 's2', 1), blob('README.md', 's1', 1)];
    const p = plan({ target, capabilities: AZURE_FILES });
    expect([...p.manifest.keys()]).toEqual(['README.md']);
    expect(p.skipped).toEqual([{ path: 'readme.md', reason: expect.stringContaining('"README.md"') }]);
    // A case-sensitive store holds both.
    expect([...plan({ target }).manifest.keys()]).toEqual(['README.md', 'readme.md']);
  });

  it('on a case-insensitive store skips a file where another needs a folder, and a folder spelt two ways', () => {
    const p = plan({
      target: [blob('Lib', 's1', 1), blob('lib/x.py', 's2', 1), blob('Src/a.py', 's3', 1), blob('src/b.py', 's4', 1)],
      capabilities: AZURE_FILES,
    });
    expect([...p.manifest.keys()]).toEqual(['Lib', 'Src/a.py']);
    expect(p.skipped).toEqual([
      { path: 'lib/x.py', reason: expect.stringContaining('"Lib" is a file') },
      { path: 'src/b.py', reason: expect.stringContaining('"Src"') },
    ]);
  });

  it('skips the second of two paths that are equal after Unicode normalisation', () => {
    const p = plan({ target: [blob('e\u0301.py', 's1', 1), blob('\u00e9.py', 's2', 1)] });
    expect([...p.manifest]).toEqual([['\u00e9.py', { sha: 's2', size: 1, mode: '100644' }]]);
    expect(p.skipped).toEqual([{ path: 'e\u0301.py', reason: expect.stringContaining('Unicode normalisation') }]);
  });
});

describe('planSync: deletes, prune and ordering', () => {
  it('deletes files not in the target, prunes emptied and stray folders deepest first', () => {
    const p = plan({
      target: [blob('a/keep.py', 's1', 1)],
      present: [file('a/keep.py', 1), file('a/old.py', 1), file('b/c/d.py', 1), folder('empty'), folder('b/e')],
      manifest: manifestOf({
        'a/keep.py': { sha: 's1', size: 1, mode: '100644' },
        'gone.py': { sha: 's9', size: 1, mode: '100644' },
      }),
    });
    expect(p.deletes).toEqual(['a/old.py', 'b/c/d.py']);
    expect(p.prune).toEqual(['b/c', 'b/e', 'b', 'empty']);
    expect(p.writes).toEqual([]);
    expect(p.unchanged).toBe(1);
  });

  it('file becomes folder: the file is deleted before the write below it', () => {
    const p = plan({
      target: [blob('a/b.py', 's2', 1)],
      present: [file('a', 1)],
      manifest: manifestOf({ a: { sha: 's1', size: 1, mode: '100644' } }),
    });
    expect(p.writes).toEqual([]);
    expect(p.lateWrites).toEqual(['a/b.py']);
    expect(p.deletes).toEqual(['a']);
    expect(p.prune).toEqual([]);
  });

  it('folder becomes file: the folder is emptied and pruned before the write', () => {
    const p = plan({
      target: [blob('a', 's2', 1), blob('z.py', 's3', 1)],
      present: [folder('a'), folder('a/b'), file('a/b/c.py', 1)],
    });
    expect(p.writes).toEqual(['z.py']);
    expect(p.lateWrites).toEqual(['a']);
    expect(p.deletes).toEqual(['a/b/c.py']);
    expect(p.prune).toEqual(['a/b', 'a']);
  });

  it('a case-only rename waits for the delete on a case-insensitive store, not on a case-sensitive one', () => {
    const input = { target: [blob('Docs/README.md', 's1', 1)], present: [file('docs/readme.md', 1)] };
    const insensitive = plan({ ...input, capabilities: AZURE_FILES });
    expect(insensitive.writes).toEqual([]);
    expect(insensitive.lateWrites).toEqual(['Docs/README.md']);
    expect(insensitive.deletes).toEqual(['docs/readme.md']);
    expect(insensitive.prune).toEqual(['docs']);
    const sensitive = plan(input);
    expect(sensitive.writes).toEqual(['Docs/README.md']);
    expect(sensitive.lateWrites).toEqual([]);
  });

  it('the model store rejects the swap plans applied in the wrong order (so the properties can fail)', () => {
    const swaps: Array<[FileStoreCapabilities, PlanInput['target'], FileEntry[]]> = [
      [POSIX, [blob('a/b.py', 's', 1)], [file('a', 1)]],
      [POSIX, [blob('a', 's', 1)], [folder('a'), file('a/b.py', 1)]],
      [AZURE_FILES, [blob('A/x', 's', 1)], [file('a/x', 1)]],
    ];
    for (const [capabilities, target, present] of swaps) {
      const p = plan({ target, present, capabilities });
      const store = new ModelStore(capabilities);
      for (const entry of present) {
        if (entry.kind === 'file') store.write(entry.path, entry.size, false);
        else store.makeFolders(entry.path);
      }
      const eager = { ...p, writes: [...p.writes, ...p.lateWrites], lateWrites: [] };
      let failure: unknown = null;
      try {
        applyPlan(store, eager);
        expectMirror(store, p.manifest);
      } catch (error) {
        failure = error;
      }
      expect(failure).not.toBeNull();
    }
  });

  it('refuses a present listing that is not scope-relative', () => {
    expect(() => plan({ present: [file('../other/x', 1)] })).toThrow(/not scope-relative/);
  });

  it('derives folders from file paths when the listing omits folders', () => {
    const p = plan({ target: [blob('x.py', 's', 1)], present: [file('old/deep/y.py', 1)] });
    expect(p.prune).toEqual(['old/deep', 'old']);
  });
});

describe('planSync: empty source guard', () => {
  it('refuses an empty target over a folder with files', () => {
    expect(
      planSync({ target: [], manifest: null, present: [file('a.py', 1)], capabilities: POSIX, scopeFolderLength: 10 }),
    ).toMatchObject({ ok: false, code: 'EmptySource' });
  });

  it('refuses a target of only unmirrorable entries over a folder the manifest says holds files', () => {
    const outcome = planSync({
      target: [
        blob('link', 's', 1, '120000'),
        blob('CON', 's', 1),
        { path: 'd', mode: '040000', type: 'tree', sha: 't' },
      ],
      manifest: manifestOf({ 'a.py': { sha: 's', size: 1, mode: '100644' } }),
      present: [],
      capabilities: POSIX,
      scopeFolderLength: 10,
    });
    expect(outcome).toMatchObject({
      ok: false,
      code: 'EmptySource',
      message: expect.stringContaining('refusing to delete'),
    });
  });

  it('an empty target over an empty folder is a plan with nothing to do', () => {
    const p = plan({ manifest: manifestOf({}) });
    expect(isNoop(p)).toBe(true);
    expect(p.manifest.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

// A small name pool makes collisions, case variants and file <-> folder swaps frequent.
const plainSegment = fc.constantFrom('a', 'A', 'b', 'lib', 'Lib', 'x.py', 'X.py', 'run.sh');
const oddSegment = fc.constantFrom('\u00e9', 'e\u0301', '\u00df', 'SS', 'con', 'bad:name', 'trail.', '..', '.', '');
const targetPath = fc
  .array(fc.oneof({ weight: 8, arbitrary: plainSegment }, { weight: 1, arbitrary: oddSegment }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((segments) => segments.join('/'));
// What a store can hold: no '.', '..' or empty segments.
const storePath = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: plainSegment },
      { weight: 1, arbitrary: fc.constantFrom('\u00e9', 'e\u0301', 'con', 'bad:name') },
    ),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((segments) => segments.join('/'));

const sha = fc.constantFrom('1111', '2222', '3333');
const size = fc.nat({ max: 3 });
const treeEntry: fc.Arbitrary<SourceTreeEntry> = fc
  .record({ path: targetPath, kind: fc.constantFrom('file', 'file', 'file', 'exec', 'link', 'submodule'), sha, size })
  .map(({ path, kind, sha, size }): SourceTreeEntry => {
    if (kind === 'submodule') return { path, mode: '160000', type: 'commit', sha };
    const mode: GitMode = kind === 'exec' ? '100755' : kind === 'link' ? '120000' : '100644';
    return { path, mode, type: 'blob', sha, size };
  });

/** Adds the 'tree' entries git lists for the parents of its entries. */
function withTrees(entries: SourceTreeEntry[]): SourceTreeEntry[] {
  const blobs = new Set(entries.map((e) => e.path));
  const trees = new Set(entries.flatMap((e) => ancestorsOf(e.path)).filter((p) => !blobs.has(p)));
  return [
    ...entries,
    ...[...trees].map((path): SourceTreeEntry => ({ path, mode: '040000', type: 'tree', sha: 'tree' })),
  ];
}
const tree = fc.uniqueArray(treeEntry, { selector: (e) => e.path, maxLength: 10 });

const tamper = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path: storePath, size, executable: fc.boolean() }),
  fc.record({ op: fc.constant('mkdir' as const), path: storePath }),
  fc.record({ op: fc.constant('remove' as const), path: storePath }),
);

const capabilities: fc.Arbitrary<FileStoreCapabilities> = fc.record({
  executableBit: fc.boolean(),
  caseSensitive: fc.boolean(),
  // With the 8-character scope folder, 18 and 15 leave 10 and 7 characters: long paths get refused.
  maxPathLength: fc.oneof(
    { weight: 4, arbitrary: fc.constant(4096) },
    { weight: 1, arbitrary: fc.constantFrom(18, 15) },
  ),
});

const scenario = fc
  .record({
    capabilities,
    previous: tree,
    tamper: fc.array(tamper, { maxLength: 5 }),
    manifestKind: fc.constantFrom('absent', 'clean', 'clean', 'dirty', 'unrelated'),
    unrelated: fc.array(fc.tuple(targetPath, sha, size), { maxLength: 4 }),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      // The new target: often an edit of the previous one, sometimes something else entirely.
      target: fc.oneof(
        {
          weight: 5,
          arbitrary: fc
            .tuple(fc.subarray(base.previous), fc.uniqueArray(treeEntry, { selector: (e) => e.path, maxLength: 4 }))
            .map(([kept, edits]) => {
              const byPath = new Map(kept.map((e) => [e.path, e]));
              for (const e of edits) byPath.set(e.path, e);
              return [...byPath.values()];
            }),
        },
        { weight: 2, arbitrary: tree },
        { weight: 1, arbitrary: fc.constant([] as SourceTreeEntry[]) },
      ),
      seed: fc.nat(),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
const SCOPE_FOLDER_LENGTH = 8;

/** Builds the folder as a previous sync plus tampering left it, and the plan input for the new target. */
function setUp({ base, target }: Scenario): { store: ModelStore; input: PlanInput } {
  const store = new ModelStore(base.capabilities);
  const previous = planSync({
    target: withTrees(base.previous),
    manifest: null,
    present: [],
    capabilities: base.capabilities,
    scopeFolderLength: SCOPE_FOLDER_LENGTH,
  });
  if (!previous.ok) throw new Error('a first sync into an empty folder is always a plan');
  applyPlan(store, previous.plan);
  for (const op of base.tamper) {
    try {
      if (op.op === 'write') store.write(op.path, op.size, op.executable);
      else if (op.op === 'mkdir') store.makeFolders(op.path);
      else store.remove(op.path);
    } catch {
      // the store refused (file in the way): tampering that cannot happen on disk is simply skipped
    }
  }
  const unrelated = new Map(
    base.unrelated.map(([path, sha, size]): [string, ManifestEntry] => [path, { sha, size, mode: '100644' }]),
  );
  const manifest: Manifest | null =
    base.manifestKind === 'absent'
      ? null
      : base.manifestKind === 'unrelated'
        ? manifestOf(Object.fromEntries(unrelated), true)
        : { ...manifestOf({}, base.manifestKind === 'dirty'), entries: previous.plan.manifest };
  const input: PlanInput = {
    target: withTrees(target),
    manifest,
    present: store.list(),
    capabilities: base.capabilities,
    scopeFolderLength: SCOPE_FOLDER_LENGTH,
  };
  return { store, input };
}

/** The store holds exactly the mirrored files (path, size, executable bit) and their parent folders. */
function expectMirror(store: ModelStore, mirrored: ReadonlyMap<string, ManifestEntry>): void {
  const listing = store.list();
  const files = listing.filter((e) => e.kind === 'file').map((e) => [e.path, e.size, e.executable]);
  const expectedFiles = [...mirrored].map(([path, e]) => [
    path,
    e.size,
    store.capabilities.executableBit && e.mode === '100755',
  ]);
  expect(files).toEqual(expectedFiles.sort((a, b) => compareCodeUnits(String(a[0]), String(b[0]))));
  const folders = listing.filter((e) => e.kind === 'directory').map((e) => e.path);
  const expectedFolders = [...new Set([...mirrored.keys()].flatMap(ancestorsOf))].sort(compareCodeUnits);
  expect(folders).toEqual(expectedFolders);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed || 1;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

const RUNS = { numRuns: 600 };

describe('planSync: properties', () => {
  it('(a) applying the plan in order leaves exactly the mirrored files and their folders', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { store, input } = setUp(s);
        const outcome = planSync(input);
        if (!outcome.ok) return;
        applyPlan(store, outcome.plan);
        expectMirror(store, outcome.plan.manifest);
      }),
      RUNS,
    );
  });

  it('(b) planning again after applying is a no-op that keeps everything', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { store, input } = setUp(s);
        const outcome = planSync(input);
        if (!outcome.ok) return;
        applyPlan(store, outcome.plan);
        const again = planSync({
          ...input,
          manifest: { scope: SCOPE, commitSha: 'c1', entries: outcome.plan.manifest, dirty: false },
          present: store.list(),
        });
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        expect(isNoop(again.plan)).toBe(true);
        expect(again.plan.unchanged).toBe(outcome.plan.manifest.size);
        expect([...again.plan.manifest]).toEqual([...outcome.plan.manifest]);
        expect(again.plan.skipped).toEqual(outcome.plan.skipped);
      }),
      RUNS,
    );
  });

  it('(c) EmptySource exactly when no target file is mirrorable and the folder held something', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input } = setUp(s);
        const { maxPathLength } = input.capabilities;
        const mirrorable = input.target.some(
          (e) =>
            e.type === 'blob' &&
            (e.mode === '100644' || e.mode === '100755') &&
            normalizeRelativePath(e.path, { maxLength: maxPathLength, prefixLength: SCOPE_FOLDER_LENGTH }).ok,
        );
        const held = input.present.length > 0 || (input.manifest?.entries.size ?? 0) > 0;
        const outcome = planSync(input);
        expect(outcome.ok).toBe(mirrorable || !held);
        if (!outcome.ok) expect(outcome.code).toBe('EmptySource');
      }),
      RUNS,
    );
  });

  it('(d) unchanged + writes + lateWrites account for every mirrored file exactly once, all paths clean', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input } = setUp(s);
        const outcome = planSync(input);
        if (!outcome.ok) return;
        const p = outcome.plan;
        const written = [...p.writes, ...p.lateWrites];
        expect(new Set(written).size).toBe(written.length);
        expect(p.unchanged + written.length).toBe(p.manifest.size);
        for (const path of written) {
          const target = plannedEntry(p, path);
          const recorded = input.manifest?.entries.get(path);
          const file = input.present.find((e) => e.kind === 'file' && e.path === path);
          const sameAsRecorded = recorded?.sha === target.sha && recorded?.mode === target.mode;
          const fileMatches =
            file !== undefined &&
            file.size === target.size &&
            (!input.capabilities.executableBit || file.executable === (target.mode === '100755'));
          // Written only where it is new or changed, or where the folder or a dirty manifest disagrees.
          expect(input.manifest !== null && !input.manifest.dirty && sameAsRecorded && fileMatches).toBe(false);
        }
        // Every tree entry other than a folder is either mirrored or skipped, never both.
        const nonTree = input.target.filter((e) => e.type !== 'tree');
        expect(p.manifest.size + p.skipped.length).toBe(nonTree.length);
        for (const path of p.manifest.keys()) {
          expect(
            normalizeRelativePath(path, {
              maxLength: input.capabilities.maxPathLength,
              prefixLength: SCOPE_FOLDER_LENGTH,
            }),
          ).toEqual({ ok: true, path });
        }
        const presentFiles = new Set(input.present.filter((e) => e.kind === 'file').map((e) => e.path));
        for (const path of p.deletes) {
          expect(presentFiles.has(path)).toBe(true);
          expect(p.manifest.has(path)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('(e) the plan is deterministic: same input in any order, same plan; planning twice, same plan', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input } = setUp(s);
        const first = planSync(input);
        const reordered = planSync({
          ...input,
          target: shuffled(input.target, s.seed),
          present: shuffled(input.present, s.seed + 7),
        });
        expect(reordered).toEqual(first);
        expect(planSync(input)).toEqual(first);
        if (first.ok) {
          const sorted = (list: readonly string[]): string[] => [...list].sort(compareCodeUnits);
          expect(first.plan.writes).toEqual(sorted(first.plan.writes));
          expect(first.plan.deletes).toEqual(sorted(first.plan.deletes));
          expect([...first.plan.manifest.keys()]).toEqual(sorted([...first.plan.manifest.keys()]));
        }
      }),
      RUNS,
    );
  });
});
