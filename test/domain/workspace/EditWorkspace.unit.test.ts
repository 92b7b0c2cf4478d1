import { describe, expect, it } from 'vitest';
import type { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import { contentTag } from '../../../src/domain/workspace/ContentTag';
import { DEFAULT_MAX_FILE_BYTES } from '../../../src/domain/workspace/EditWorkspace';
import type { LeaseRelease, ScopeLease } from '../../../src/ports/LeaseRepo';
import { codeOf, connectionOf, decode, successValue, text, workspaceHarness } from './workspaceHarness';

const ORG = 'org-42' as Scope;

describe('EditWorkspace.save', () => {
  it('creates a file, answers its content tag, and overwrites it keeping the executable bit', async () => {
    const { edit, store, clock } = workspaceHarness();
    const first = successValue(await edit.save(ORG, 'scripts/run.ps1', text('v1'), { executable: true }));
    expect(first).toEqual({ created: true, etag: await contentTag(text('v1')), size: 2, lastModified: clock.now() });
    expect(decode(await store.read('orgs/org-42/scripts/run.ps1'))).toBe('v1');

    const second = successValue(await edit.save(ORG, 'scripts/run.ps1', text('v22'), { ifMatch: first.etag }));
    expect(second.created).toBe(false);
    expect(second.etag).toBe(await contentTag(text('v22')));
    expect((await store.stat('orgs/org-42/scripts/run.ps1'))?.executable).toBe(true);

    successValue(await edit.save(ORG, 'scripts/run.ps1', text('v3'), { executable: false }));
    expect((await store.stat('orgs/org-42/scripts/run.ps1'))?.executable).toBe(false);
  });

  it('normalises the path and writes only below the scope folder', async () => {
    const { edit, store } = workspaceHarness();
    successValue(await edit.save(GLOBAL_SCOPE, './a//b/./c.txt', text('x')));
    expect((await store.list('', { recursive: true })).map((e) => e.path)).toEqual([
      'global',
      'global/a',
      'global/a/b',
      'global/a/b/c.txt',
    ]);
  });

  it('refuses a stale If-Match, and If-Match on a missing file, with PreconditionFailed', async () => {
    const { edit, store } = workspaceHarness();
    const old = successValue(await edit.save(ORG, 'a.txt', text('one')));
    successValue(await edit.save(ORG, 'a.txt', text('two')));
    const stale = await edit.save(ORG, 'a.txt', text('three'), { ifMatch: old.etag });
    expect(stale).toMatchObject({ ok: false, code: 'PreconditionFailed' });
    expect(decode(await store.read('orgs/org-42/a.txt'))).toBe('two');
    expect(codeOf(await edit.save(ORG, 'missing.txt', text('x'), { ifMatch: old.etag }))).toBe('PreconditionFailed');
    expect(codeOf(await edit.save(ORG, 'missing.txt', text('x'), { ifMatch: '*' }))).toBe('PreconditionFailed');
    expect(await store.stat('orgs/org-42/missing.txt')).toBeNull();
  });

  it('accepts If-Match quoted or in upper case, and * for any existing file', async () => {
    const { edit } = workspaceHarness();
    const saved = successValue(await edit.save(ORG, 'a.txt', text('one')));
    expect(
      codeOf(
        await edit.save(ORG, 'a.txt', text('two'), { ifMatch: `"${(await contentTag(text('one'))).toUpperCase()}"` }),
      ),
    ).toBe('ok');
    expect(codeOf(await edit.save(ORG, 'a.txt', text('three'), { ifMatch: '*' }))).toBe('ok');
    expect(codeOf(await edit.save(ORG, 'a.txt', text('four'), { ifMatch: `W/"${saved.etag}"` }))).toBe(
      'PreconditionFailed',
    );
  });

  it('refuses If-None-Match * when the file exists, and creates it when not', async () => {
    const { edit, store } = workspaceHarness();
    expect(successValue(await edit.save(ORG, 'new.txt', text('a'), { ifNoneMatch: '*' })).created).toBe(true);
    expect(codeOf(await edit.save(ORG, 'new.txt', text('b'), { ifNoneMatch: '*' }))).toBe('PreconditionFailed');
    expect(decode(await store.read('orgs/org-42/new.txt'))).toBe('a');
  });

  it('refuses content over maxFileBytes with PayloadTooLarge (10 MiB by default)', async () => {
    expect(DEFAULT_MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    const { edit, store } = workspaceHarness({ settings: { maxFileBytes: 8 } });
    expect(codeOf(await edit.save(ORG, 'eight.bin', new Uint8Array(8)))).toBe('ok');
    const tooBig = await edit.save(ORG, 'nine.bin', new Uint8Array(9));
    expect(tooBig).toMatchObject({ ok: false, code: 'PayloadTooLarge' });
    expect(await store.stat('orgs/org-42/nine.bin')).toBeNull();

    const defaults = workspaceHarness();
    expect(codeOf(await defaults.edit.save(ORG, 'big.bin', new Uint8Array(DEFAULT_MAX_FILE_BYTES + 1)))).toBe(
      'PayloadTooLarge',
    );
  });

  it('answers NotAFile for a folder and NotAFolder when a parent is a file', async () => {
    const { edit, store } = workspaceHarness();
    await store.createDirectory('orgs/org-42/dir');
    await store.write('orgs/org-42/file.txt', text('f'));
    expect(codeOf(await edit.save(ORG, 'dir', text('x')))).toBe('NotAFile');
    expect(codeOf(await edit.save(ORG, 'file.txt/child.txt', text('x')))).toBe('NotAFolder');
    expect(codeOf(await edit.save(ORG, 'file.txt/deeper/child.txt', text('x')))).toBe('NotAFolder');
    expect(decode(await store.read('orgs/org-42/file.txt'))).toBe('f');
  });

  it('answers InvalidPath with the policy reason for a path it refuses, and for the empty path', async () => {
    const { edit } = workspaceHarness();
    expect(await edit.save(ORG, '../org-43/x.txt', text('x'))).toMatchObject({
      ok: false,
      code: 'InvalidPath',
      reason: 'Traversal',
    });
    expect(await edit.save(ORG, 'a\\b', text('x'))).toMatchObject({
      ok: false,
      code: 'InvalidPath',
      reason: 'ReservedCharacter',
    });
    expect(await edit.save(ORG, '/etc/passwd', text('x'))).toMatchObject({
      ok: false,
      code: 'InvalidPath',
      reason: 'Absolute',
    });
    expect(await edit.save(ORG, '', text('x'))).toMatchObject({ ok: false, code: 'InvalidPath', reason: 'Empty' });
    expect(codeOf(await edit.save('../../etc' as Scope, 'x.txt', text('x')))).toBe('InvalidPath');
  });

  it('round-trips binary content byte for byte', async () => {
    const { edit, browse } = workspaceHarness();
    const bytes = new Uint8Array(256 * 8 + 3);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 131 + (i >> 8)) & 0xff;
    const saved = successValue(await edit.save(ORG, 'bin/blob.dat', bytes));
    const read = successValue(await browse.read(ORG, 'bin/blob.dat'));
    expect(read.content).toEqual(bytes);
    expect(read.etag).toBe(saved.etag);
    expect(read.size).toBe(bytes.length);
  });

  it('marks the scope manifest dirty, so the next sync verifies the folder', async () => {
    const { edit, metadata } = workspaceHarness();
    await metadata.saveManifest({ scope: ORG, commitSha: 'a'.repeat(40), entries: new Map() });
    successValue(await edit.save(ORG, 'a.txt', text('x')));
    expect((await metadata.getManifest(ORG))?.dirty).toBe(true);
  });
});

describe('EditWorkspace while a scope is GitHub-managed', () => {
  it('refuses every write with GitHubSyncEnabled, and accepts them right after the connection is deleted', async () => {
    const { edit, metadata, store } = workspaceHarness();
    await store.write('orgs/org-42/keep.txt', text('k'));
    await store.write('orgs/org-42/other.txt', text('o'));
    await store.createDirectory('orgs/org-42/dir');
    await metadata.saveConnection(connectionOf(ORG));
    const attempts = [
      () => edit.save(ORG, 'a.txt', text('x')),
      () => edit.deleteFile(ORG, 'other.txt'),
      () => edit.createFolder(ORG, 'new-dir'),
      () => edit.deleteFolder(ORG, 'dir'),
      () => edit.move(ORG, 'keep.txt', 'moved.txt'),
    ];
    for (const attempt of attempts) {
      const result = await attempt();
      expect(result).toMatchObject({ ok: false, code: 'GitHubSyncEnabled' });
      if (!result.ok) expect(result.message).toContain('acme/scripts');
    }
    expect((await store.list('orgs/org-42')).map((e) => e.path)).toEqual([
      'orgs/org-42/dir',
      'orgs/org-42/keep.txt',
      'orgs/org-42/other.txt',
    ]);
    // Another scope is not affected.
    expect(codeOf(await edit.save(GLOBAL_SCOPE, 'a.txt', text('x')))).toBe('ok');

    await metadata.deleteConnection(ORG);
    for (const attempt of attempts) expect(codeOf(await attempt())).toBe('ok');
  });

  it('answers GitHubSyncEnabled at once while a sync holds the lease, without waiting', async () => {
    const { edit, metadata, sleeps, clock } = workspaceHarness();
    await metadata.saveConnection(connectionOf(ORG));
    await metadata.acquireLease(ORG, 'sync-worker', clock.now(), 60_000);
    expect(codeOf(await edit.save(ORG, 'a.txt', text('x')))).toBe('GitHubSyncEnabled');
    expect(sleeps).toEqual([]);
  });

  it('lets a connect that lands while the edit waits for the lease win', async () => {
    const metadata = new InMemoryMetadataRepo();
    const started = new Date('2025-03-01T10:00:00.000Z');
    const syncLease = await metadata.acquireLease(ORG, 'sync-worker', started, 60_000);
    if (syncLease.kind !== 'acquired') throw new Error('setup');
    let connected = false;
    const { edit, store } = workspaceHarness({
      metadata,
      sleep: async () => {
        if (connected) return;
        connected = true;
        await metadata.saveConnection(connectionOf(ORG));
        expect((await metadata.releaseLease(syncLease.lease, started, 60_000)).kind).toBe('released'); // the waiting edit left no pending mark
      },
    });
    expect(codeOf(await edit.save(ORG, 'a.txt', text('x')))).toBe('GitHubSyncEnabled');
    expect(await store.stat('orgs/org-42/a.txt')).toBeNull();
  });
});

describe('EditWorkspace and the scope lease', () => {
  it('waits about lockWaitMs for a held lease, then answers ScopeBusy without writing', async () => {
    const { edit, metadata, sleeps, clock, store } = workspaceHarness({ settings: { lockWaitMs: 500 } });
    await metadata.acquireLease(ORG, 'sync-worker', clock.now(), 60_000);
    const result = await edit.save(ORG, 'a.txt', text('x'));
    expect(result).toMatchObject({ ok: false, code: 'ScopeBusy' });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(500);
    expect(sleeps.length).toBeGreaterThan(3);
    expect(await store.stat('orgs/org-42/a.txt')).toBeNull();
    for (const attempt of [
      () => edit.deleteFile(ORG, 'a.txt'),
      () => edit.createFolder(ORG, 'd'),
      () => edit.deleteFolder(ORG, 'd'),
      () => edit.move(ORG, 'a.txt', 'b.txt'),
    ]) {
      expect(codeOf(await attempt())).toBe('ScopeBusy');
    }
  });

  it('waits 2 s by default and succeeds once the holder lets go', async () => {
    const metadata = new InMemoryMetadataRepo();
    const now = new Date('2025-03-01T10:00:00.000Z');
    const held = await metadata.acquireLease(ORG, 'sync-worker', now, 60_000);
    if (held.kind !== 'acquired') throw new Error('setup');
    let waited = 0;
    const { edit } = workspaceHarness({
      metadata,
      sleep: async (ms) => {
        waited += ms;
        if (waited >= 1_000) {
          let release: LeaseRelease = await metadata.releaseLease(held.lease, now, 60_000);
          while (release.kind === 'pending') release = await metadata.releaseLease(release.lease, now, 60_000);
        }
      },
    });
    expect(codeOf(await edit.save(ORG, 'a.txt', text('x')))).toBe('ok');
    expect(waited).toBeGreaterThanOrEqual(1_000);

    await metadata.acquireLease(ORG, 'sync-worker', now, 60_000);
    waited = -1_000_000; // never released: the whole default wait passes
    const { edit: patient, sleeps } = workspaceHarness({ metadata });
    expect(codeOf(await patient.save(ORG, 'b.txt', text('x')))).toBe('ScopeBusy');
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(2_000);
  });

  it('leaves the lease free after every edit, success or refusal', async () => {
    const { edit, metadata, clock } = workspaceHarness();
    successValue(await edit.save(ORG, 'a.txt', text('x')));
    expect(codeOf(await edit.save(ORG, 'a.txt', text('x'), { ifNoneMatch: '*' }))).toBe('PreconditionFailed');
    expect(codeOf(await edit.deleteFile(ORG, 'nope.txt'))).toBe('NotFound');
    const probe = await metadata.acquireLease(ORG, 'probe', clock.now(), 1_000);
    expect(probe.kind).toBe('acquired');
  });

  it('releases again when someone asked for the scope while the edit held it', async () => {
    let metadata!: InMemoryMetadataRepo;
    let markedPending = false;
    metadata = new InMemoryMetadataRepo();
    const { edit, clock } = workspaceHarness({
      metadata,
      wrapFiles: (store) =>
        new Proxy(store, {
          get(target, key, receiver) {
            if (key !== 'write') return Reflect.get(target, key, receiver) as unknown;
            return async (...args: Parameters<InMemoryFileStore['write']>) => {
              const busy = await metadata.acquireLease(
                ORG,
                'sync-worker',
                new Date('2025-03-01T10:00:00.000Z'),
                60_000,
              );
              markedPending = busy.kind === 'busy' && busy.firstPending;
              return target.write(...args);
            };
          },
        }),
    });
    successValue(await edit.save(ORG, 'a.txt', text('x')));
    expect(markedPending).toBe(true);
    expect((await metadata.acquireLease(ORG, 'sync-worker', clock.now(), 60_000)).kind).toBe('acquired');
  });

  it('reports the edit as done even when releasing the lease fails', async () => {
    class FlakyRelease extends InMemoryMetadataRepo {
      override async releaseLease(_lease: ScopeLease): Promise<LeaseRelease> {
        throw new Error('storage down');
      }
    }
    const { edit, store } = workspaceHarness({ metadata: new FlakyRelease() });
    expect(codeOf(await edit.save(ORG, 'a.txt', text('x')))).toBe('ok');
    expect(decode(await store.read('orgs/org-42/a.txt'))).toBe('x');
  });

  it('lets exactly one of two concurrent saves with the same If-Match win', async () => {
    const { edit, browse } = workspaceHarness({
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    });
    const base = successValue(await edit.save(ORG, 'race.txt', text('base')));
    for (let round = 0; round < 5; round += 1) {
      const current = round === 0 ? base.etag : successValue(await browse.read(ORG, 'race.txt')).etag;
      const [a, b] = await Promise.all([
        edit.save(ORG, 'race.txt', text(`A${round}`), { ifMatch: current }),
        edit.save(ORG, 'race.txt', text(`B${round}`), { ifMatch: current }),
      ]);
      expect([codeOf(a), codeOf(b)].sort()).toEqual(['PreconditionFailed', 'ok']);
      const winner = a.ok ? `A${round}` : `B${round}`;
      expect(decode(successValue(await browse.read(ORG, 'race.txt')).content)).toBe(winner);
    }
  });
});

describe('EditWorkspace.deleteFile', () => {
  it('deletes a file, honouring If-Match', async () => {
    const { edit, store } = workspaceHarness();
    const saved = successValue(await edit.save(ORG, 'a/b.txt', text('x')));
    expect(codeOf(await edit.deleteFile(ORG, 'a/b.txt', { ifMatch: await contentTag(text('other')) }))).toBe(
      'PreconditionFailed',
    );
    expect(await store.stat('orgs/org-42/a/b.txt')).not.toBeNull();
    expect(codeOf(await edit.deleteFile(ORG, 'a/b.txt', { ifMatch: saved.etag }))).toBe('ok');
    expect(await store.stat('orgs/org-42/a/b.txt')).toBeNull();
    expect((await store.stat('orgs/org-42/a'))?.kind).toBe('directory');
  });

  it('answers NotFound, NotAFile and InvalidPath', async () => {
    const { edit, store } = workspaceHarness();
    await store.createDirectory('orgs/org-42/dir');
    expect(codeOf(await edit.deleteFile(ORG, 'missing.txt'))).toBe('NotFound');
    expect(codeOf(await edit.deleteFile(ORG, 'dir'))).toBe('NotAFile');
    expect(codeOf(await edit.deleteFile(ORG, '..'))).toBe('InvalidPath');
    expect(codeOf(await edit.deleteFile(ORG, ''))).toBe('InvalidPath');
  });
});

describe('EditWorkspace.createFolder', () => {
  it('creates a folder and its parents; an existing folder is fine', async () => {
    const { edit, store } = workspaceHarness();
    expect(successValue(await edit.createFolder(ORG, 'a/b/c'))).toEqual({ created: true });
    expect((await store.stat('orgs/org-42/a/b/c'))?.kind).toBe('directory');
    expect(successValue(await edit.createFolder(ORG, 'a/b'))).toEqual({ created: false });
  });

  it('answers AlreadyExists for a file at the path, NotAFolder for a file above it', async () => {
    const { edit, store } = workspaceHarness();
    await store.write('orgs/org-42/f.txt', text('f'));
    expect(codeOf(await edit.createFolder(ORG, 'f.txt'))).toBe('AlreadyExists');
    expect(codeOf(await edit.createFolder(ORG, 'f.txt/sub'))).toBe('NotAFolder');
    expect(codeOf(await edit.createFolder(ORG, ''))).toBe('InvalidPath');
  });
});

describe('EditWorkspace.deleteFolder', () => {
  it('deletes an empty folder, and a full one only when recursive', async () => {
    const { edit, store } = workspaceHarness();
    await store.createDirectory('orgs/org-42/empty');
    await store.write('orgs/org-42/full/a.txt', text('a'));
    await store.write('orgs/org-42/full/sub/b.txt', text('b'));
    expect(successValue(await edit.deleteFolder(ORG, 'empty'))).toEqual({ removedFiles: 0 });
    expect(await store.stat('orgs/org-42/empty')).toBeNull();
    expect(codeOf(await edit.deleteFolder(ORG, 'full'))).toBe('FolderNotEmpty');
    expect(await store.stat('orgs/org-42/full/a.txt')).not.toBeNull();
    expect(successValue(await edit.deleteFolder(ORG, 'full', { recursive: true }))).toEqual({ removedFiles: 2 });
    expect(await store.list('orgs/org-42')).toEqual([]);
  });

  it('never deletes the scope folder itself, and answers NotFound and NotAFolder', async () => {
    const { edit, store } = workspaceHarness();
    await store.write('orgs/org-42/f.txt', text('f'));
    for (const root of ['', '.', './', 'a/..']) {
      expect(codeOf(await edit.deleteFolder(ORG, root, { recursive: true }))).toBe('InvalidPath');
    }
    expect(codeOf(await edit.deleteFolder(ORG, 'missing'))).toBe('NotFound');
    expect(codeOf(await edit.deleteFolder(ORG, 'f.txt'))).toBe('NotAFolder');
    expect(await store.stat('orgs/org-42/f.txt')).not.toBeNull();
  });
});

describe('EditWorkspace.move', () => {
  it('moves a file to a new folder and renames a folder with its content', async () => {
    const { edit, store } = workspaceHarness();
    await store.write('orgs/org-42/a.txt', text('a'));
    await store.write('orgs/org-42/dir/x/y.txt', text('y'));
    expect(successValue(await edit.move(ORG, 'a.txt', 'new/place/a2.txt'))).toEqual({ kind: 'file', replaced: false });
    expect(successValue(await edit.move(ORG, 'dir', 'renamed'))).toEqual({ kind: 'directory', replaced: false });
    expect(
      (await store.list('orgs/org-42', { recursive: true })).filter((e) => e.kind === 'file').map((e) => e.path),
    ).toEqual(['orgs/org-42/new/place/a2.txt', 'orgs/org-42/renamed/x/y.txt']);
  });

  it('answers NotFound, and AlreadyExists unless overwrite (then replaces the same kind)', async () => {
    const { edit, store } = workspaceHarness();
    await store.write('orgs/org-42/a.txt', text('a'));
    await store.write('orgs/org-42/b.txt', text('b'));
    await store.write('orgs/org-42/d1/one.txt', text('1'));
    await store.write('orgs/org-42/d2/two.txt', text('2'));
    expect(codeOf(await edit.move(ORG, 'missing.txt', 'c.txt'))).toBe('NotFound');
    expect(codeOf(await edit.move(ORG, 'a.txt', 'b.txt'))).toBe('AlreadyExists');
    expect(successValue(await edit.move(ORG, 'a.txt', 'b.txt', { overwrite: true }))).toEqual({
      kind: 'file',
      replaced: true,
    });
    expect(decode(await store.read('orgs/org-42/b.txt'))).toBe('a');
    expect(codeOf(await edit.move(ORG, 'b.txt', 'd1', { overwrite: true }))).toBe('NotAFile');
    expect(codeOf(await edit.move(ORG, 'd1', 'b.txt', { overwrite: true }))).toBe('NotAFolder');
    expect(codeOf(await edit.move(ORG, 'd1', 'd2'))).toBe('AlreadyExists');
    expect(successValue(await edit.move(ORG, 'd1', 'd2', { overwrite: true }))).toEqual({
      kind: 'directory',
      replaced: true,
    });
    expect((await store.list('orgs/org-42/d2')).map((e) => e.path)).toEqual(['orgs/org-42/d2/one.txt']);
  });

  it('refuses a folder into itself, a target that contains the source, and a path below a file', async () => {
    const { edit, store } = workspaceHarness();
    await store.write('orgs/org-42/d/sub/f.txt', text('f'));
    await store.write('orgs/org-42/file.txt', text('x'));
    expect(codeOf(await edit.move(ORG, 'd', 'd/sub/inner'))).toBe('InvalidPath');
    expect(codeOf(await edit.move(ORG, 'd/sub', 'd', { overwrite: true }))).toBe('InvalidPath');
    expect(codeOf(await edit.move(ORG, 'file.txt', 'file.txt/x'))).toBe('NotAFolder');
    expect(codeOf(await edit.move(ORG, 'd/sub/f.txt', 'file.txt/x'))).toBe('NotAFolder');
    expect(codeOf(await edit.move(ORG, '', 'x'))).toBe('InvalidPath');
    expect(codeOf(await edit.move(ORG, 'd', '../org-43/d'))).toBe('InvalidPath');
    expect((await store.list('orgs/org-42', { recursive: true })).map((e) => e.path)).toEqual([
      'orgs/org-42/d',
      'orgs/org-42/d/sub',
      'orgs/org-42/d/sub/f.txt',
      'orgs/org-42/file.txt',
    ]);
  });

  it('checks If-Match against the moved file', async () => {
    const { edit, store } = workspaceHarness();
    const saved = successValue(await edit.save(ORG, 'a.txt', text('a')));
    await store.createDirectory('orgs/org-42/dir');
    expect(codeOf(await edit.move(ORG, 'a.txt', 'b.txt', { ifMatch: await contentTag(text('old')) }))).toBe(
      'PreconditionFailed',
    );
    expect(codeOf(await edit.move(ORG, 'dir', 'dir2', { ifMatch: saved.etag }))).toBe('PreconditionFailed');
    expect(codeOf(await edit.move(ORG, 'a.txt', 'b.txt', { ifMatch: saved.etag }))).toBe('ok');
  });

  it('moving onto itself is a no-op, and a case-only rename works on a case-insensitive store', async () => {
    const { edit, store } = workspaceHarness({ capabilities: { caseSensitive: false } });
    await store.write('orgs/org-42/a.txt', text('a'));
    expect(successValue(await edit.move(ORG, 'a.txt', './a.txt'))).toEqual({ kind: 'file', replaced: false });
    expect(codeOf(await edit.move(ORG, 'a.txt', 'A.txt'))).toBe('ok');
    expect(decode(await store.read('orgs/org-42/a.txt'))).toBe('a');
  });
});
