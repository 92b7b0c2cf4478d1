import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import type { Connection } from '../../../src/domain/connections/Connection';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import type { SyncCommand, SyncTrigger } from '../../../src/domain/sync/SyncCommand';
import { DEFAULT_MAX_FILE_BYTES } from '../../../src/domain/sync/SyncPlan';
import { type SyncSettings, SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import type { FileContent, FileStore, WriteOptions } from '../../../src/ports/FileStore';
import type { SourceLocation, SourceRepository, SourceRepositoryFactory } from '../../../src/ports/SourceRepository';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';
import { aConnection, aSyncCommand, aSyncRun } from '../../support/mothers';

const REPO = 'acme/scripts';
const TOKEN = 'token-1';

/** The in-memory GitHub, with `beforeBlob` run at every blob download (to act in the middle of a sync). */
function interceptBlobs(
  github: InMemorySourceRepositoryFactory,
  beforeBlob: () => void | Promise<void>,
): SourceRepositoryFactory {
  return {
    open(location: SourceLocation): SourceRepository {
      const inner = github.open(location);
      return {
        get requestCount() {
          return inner.requestCount;
        },
        branchHead: (branch) => inner.branchHead(branch),
        tree: (sha, sub) => inner.tree(sha, sub),
        archive: (sha, expected) => inner.archive(sha, expected),
        blob: async (sha, size) => {
          await beforeBlob();
          return inner.blob(sha, size);
        },
      };
    },
  };
}

/** The in-memory GitHub, recording the blobs downloaded and the archive entries handed out. */
function recordDownloads(github: InMemorySourceRepositoryFactory, downloads: string[]): SourceRepositoryFactory {
  return {
    open(location: SourceLocation): SourceRepository {
      const inner = github.open(location);
      return {
        get requestCount() {
          return inner.requestCount;
        },
        branchHead: (branch) => inner.branchHead(branch),
        tree: (sha, sub) => inner.tree(sha, sub),
        async *archive(sha, expected) {
          for await (const file of inner.archive(sha, expected)) {
            downloads.push(`archive:${file.path}`);
            yield file;
          }
        },
        blob: async (sha, size) => {
          downloads.push(`blob:${sha}`);
          return inner.blob(sha, size);
        },
      };
    },
  };
}

/** The SyncWorkspace use case on in-memory adapters: every invariant of docs/design.md §4, without I/O. */
describe('SyncWorkspace', () => {
  let github: InMemorySourceRepositoryFactory;
  let files: InMemoryFileStore;
  let metadata: InMemoryMetadataRepo;
  let secrets: InMemorySecretStore;
  let queue: InProcessCommandQueue;
  let clock: ManualClock;
  let ids: SequentialIdGenerator;
  let settings: SyncSettings;
  let connection: Connection;

  const make = (overrides: Partial<SyncSettings> = {}, sources: SourceRepositoryFactory = github) =>
    new SyncWorkspace({
      metadata,
      files,
      sources,
      secrets,
      queue,
      clock,
      ids,
      logger: captureLogger().logger,
      settings: { ...settings, ...overrides },
    });
  const command = (trigger: SyncTrigger = 'push', scope: Scope = GLOBAL_SCOPE): SyncCommand =>
    aSyncCommand({
      scope,
      trigger,
      deliveryId: globalThis.crypto.randomUUID(),
      requestedAt: clock.now().toISOString(),
    });
  const read = async (path: string) => {
    const bytes = await files.read(`global/${path}`);
    return bytes === null ? null : Buffer.from(bytes).toString('utf8');
  };
  const listGlobal = async () =>
    (await files.list('global', { recursive: true })).map(
      (entry) => `${entry.kind[0]}:${entry.path.slice('global/'.length)}`,
    );

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken(TOKEN);
    github.addRepository(REPO, { tokens: [TOKEN] });
    files = new InMemoryFileStore();
    metadata = new InMemoryMetadataRepo();
    secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', TOKEN);
    queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 1 });
    clock = new ManualClock();
    ids = new SequentialIdGenerator('run');
    settings = { holderId: 'worker-a', leaseTtlMs: 60_000, fetchConcurrency: 4, archiveThreshold: 1_000, maxRounds: 5 };
    connection = aConnection({ scope: GLOBAL_SCOPE, repository: REPO, tokenRef: 'TOKEN' });
    await metadata.saveConnection(connection);
  });

  it('mirrors the branch head, records the run and writes the manifest last', async () => {
    const head = github.commit(REPO, {
      'a.py': 'a',
      'lib/b.py': 'b',
      'bin/run.sh': { content: '#!/bin/sh', executable: true },
    });
    const result = await make().execute(command());
    expect(result.kind).toBe('completed');
    expect(await listGlobal()).toEqual(['f:a.py', 'd:bin', 'f:bin/run.sh', 'd:lib', 'f:lib/b.py']);
    expect((await files.stat('global/bin/run.sh'))?.executable).toBe(true);
    const manifest = await metadata.getManifest(GLOBAL_SCOPE);
    expect(manifest).toMatchObject({ commitSha: head, dirty: false });
    expect([...manifest!.entries.keys()].sort()).toEqual(['a.py', 'bin/run.sh', 'lib/b.py']);
    const run = (result as { runs: readonly { status: string; counts: { written: number }; sourceRequests: number }[] })
      .runs[0]!;
    expect(run).toMatchObject({ status: 'succeeded', counts: { written: 3 } });
    // head + tree + 3 blobs + head re-check
    expect(run.sourceRequests).toBe(6);
    expect((await metadata.getConnection(GLOBAL_SCOPE))?.lastSyncedCommit).toBe(head);
    expect(await files.list('.workspace-sync/staging', { recursive: true })).toEqual([]);
  });

  it('names every run with a new id from the injected generator, and logs the run under it', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    const logs = captureLogger();
    const sync = new SyncWorkspace({
      metadata,
      files,
      sources: github,
      secrets,
      queue,
      clock,
      ids,
      logger: logs.logger,
      settings,
    });
    expect(await sync.execute(command())).toMatchObject({ runs: [{ id: 'run-1', status: 'succeeded' }] });
    github.change(REPO, { write: { 'a.py': 'a2' } });
    expect(await sync.execute(command())).toMatchObject({ runs: [{ id: 'run-2', status: 'succeeded' }] });
    expect(await metadata.getRun('run-1')).toMatchObject({ scope: GLOBAL_SCOPE, counts: { written: 1 } });
    expect(await metadata.getRun('run-2')).toMatchObject({ scope: GLOBAL_SCOPE, counts: { written: 1 } });
    const runIds = new Set(
      logs
        .lines()
        .map((line) => (JSON.parse(line) as { runId?: string }).runId)
        .filter(Boolean),
    );
    expect([...runIds].sort()).toEqual(['run-1', 'run-2']);
  });

  it('an incremental sync fetches only the changed blobs: 3 + changed requests', async () => {
    const files50 = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f/${i}.txt`, `v1 ${i}`]));
    github.commit(REPO, files50);
    await make().execute(command());
    github.change(REPO, { write: { 'f/1.txt': 'v2', 'f/2.txt': 'v2', 'new.txt': 'n' }, remove: ['f/3.txt'] });
    const result = await make().execute(command());
    const run = (
      result as {
        runs: readonly { sourceRequests: number; counts: { written: number; deleted: number; unchanged: number } }[];
      }
    ).runs[0]!;
    expect(run.counts).toMatchObject({ written: 3, deleted: 1, unchanged: 47 });
    expect(run.sourceRequests).toBe(3 + 3);
  });

  it('uses one archive download for large change sets', async () => {
    github.commit(REPO, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`many/${i}.txt`, `${i}`])));
    const result = await make({ archiveThreshold: 10 }).execute(command());
    const run = (result as { runs: readonly { sourceRequests: number; counts: { written: number } }[] }).runs[0]!;
    expect(run.counts.written).toBe(30);
    expect(run.sourceRequests).toBe(4); // head, tree, archive, head re-check
    expect(await read('many/29.txt')).toBe('29');
  });

  describe('archive bytes that are not the blob (export-subst, filters, LFS)', () => {
    const BIG = 3 * 1024 * 1024; // above the size read whole from the archive: streamed straight to staging
    const pattern = (size: number, seed: number) =>
      Uint8Array.from({ length: size }, (_, i) => (i * seed + (i >>> 11)) & 0xff);

    it('fetches those files as blobs, never keeps the archive bytes, and counts them', async () => {
      const big = pattern(BIG, 7);
      const archivedBig = pattern(BIG, 11);
      github.commit(REPO, {
        ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`plain/${i}.txt`, `${i}`])),
        'version.txt': { content: 'commit $Format:%H$\n', archivedAs: 'commit 0123456789abcdef\n' },
        'big/data.bin': { content: big, archivedAs: archivedBig },
      });
      const outcomes: string[] = [];
      const observed: FileStore = new Proxy(files, {
        get(target, property, receiver) {
          if (property !== 'write') return Reflect.get(target, property, receiver);
          return async (path: string, content: FileContent, options?: WriteOptions) => {
            try {
              await target.write(path, content, options);
              outcomes.push(`written ${path.split('/').slice(4).join('/')}`);
            } catch (error) {
              // The failed write left nothing in staging that a commit could move into place.
              outcomes.push(
                `failed ${path.split('/').slice(4).join('/')}: ${(error as Error).name}, staged ${(await target.stat(path)) !== null}`,
              );
              throw error;
            }
          };
        },
      });
      const result = await new SyncWorkspace({
        metadata,
        files: observed,
        sources: github,
        secrets,
        queue,
        clock,
        ids,
        logger: captureLogger().logger,
        settings: { ...settings, archiveThreshold: 10 },
      }).execute(command());

      expect(result).toMatchObject({
        kind: 'completed',
        runs: [{ status: 'succeeded', counts: { written: 14, archiveFallbacks: 2 } }],
      });
      // head, tree, archive, the two blobs, head re-check
      expect((result as { runs: readonly { sourceRequests: number }[] }).runs[0]!.sourceRequests).toBe(6);
      expect(await read('version.txt')).toBe('commit $Format:%H$\n');
      expect(Buffer.from((await files.read('global/big/data.bin'))!).equals(Buffer.from(big))).toBe(true);
      expect(outcomes).toContain('failed big/data.bin: ArchiveMismatch, staged false');
      expect(outcomes.filter((outcome) => outcome.endsWith('big/data.bin'))).toEqual(['written big/data.bin']); // once, from the blob
      expect(outcomes.filter((outcome) => outcome.endsWith('version.txt'))).toEqual(['written version.txt']); // small: never written from the archive
      const manifest = await metadata.getManifest(GLOBAL_SCOPE);
      const { entries } = await github.open({ repository: REPO, token: TOKEN }).tree(manifest!.commitSha);
      for (const path of ['version.txt', 'big/data.bin'])
        expect(manifest!.entries.get(path)?.sha).toBe(entries.find((entry) => entry.path === path)!.sha);
    });

    it('changes nothing when the blob behind a mismatched entry cannot be fetched', async () => {
      github.commit(REPO, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`plain/${i}.txt`, `${i}`])));
      await make().execute(command());
      const before = await listGlobal();
      const manifestBefore = await metadata.getManifest(GLOBAL_SCOPE);
      github.change(REPO, {
        write: {
          ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`plain/${i}.txt`, `${i} v2`])),
          'version.txt': { content: 'commit $Format:%H$\n', archivedAs: 'commit 0123456789abcdef\n' },
        },
      });
      github.failNext('NotFound', 1, { operation: 'blob' });
      const result = await make({ archiveThreshold: 10 }).execute(command());
      expect(result).toMatchObject({ kind: 'failed', error: { code: 'NotFound' } });
      expect(await listGlobal()).toEqual(before);
      expect(await read('plain/1.txt')).toBe('1');
      expect(await metadata.getManifest(GLOBAL_SCOPE)).toEqual(manifestBefore);
      expect(
        (await files.list('.workspace-sync', { recursive: true })).filter((entry) => entry.kind === 'file'),
      ).toEqual([]);
    });
  });

  describe('memory that does not follow file size', () => {
    /** The store, recording for each write whether it got one buffer or a stream, and the stream's chunks. */
    function recordingWrites(): { store: FileStore; writes: Map<string, { buffer: boolean; chunks: number[] }> } {
      const writes = new Map<string, { buffer: boolean; chunks: number[] }>();
      const store: FileStore = new Proxy(files, {
        get(target, property, receiver) {
          if (property !== 'write') return Reflect.get(target, property, receiver);
          return async (path: string, content: FileContent, options?: WriteOptions) => {
            const record = { buffer: content instanceof Uint8Array, chunks: [] as number[] };
            writes.set(path.split('/').slice(4).join('/'), record);
            if (content instanceof Uint8Array) return target.write(path, content, options);
            async function* counted(): AsyncGenerator<Uint8Array> {
              for await (const chunk of content as AsyncIterable<Uint8Array>) {
                record.chunks.push(chunk.byteLength);
                yield chunk;
              }
            }
            return target.write(path, counted(), options);
          };
        },
      });
      return { store, writes };
    }
    const SIZE = 5 * 1024 * 1024;
    const content = Uint8Array.from({ length: SIZE }, (_, i) => (i * 13) & 0xff);

    it.each([
      ['a blob', 1_000],
      ['an archive entry', 1],
    ])('streams %s of several MB to the store in bounded chunks, never as one buffer', async (_, archiveThreshold) => {
      github.commit(REPO, { 'large.bin': content, 'small.txt': 'small' });
      const { store, writes } = recordingWrites();
      const sync = new SyncWorkspace({
        metadata,
        files: store,
        sources: github,
        secrets,
        queue,
        clock,
        ids,
        logger: captureLogger().logger,
        settings: { ...settings, archiveThreshold },
      });
      expect(await sync.execute(command())).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded' }] });
      const large = writes.get('large.bin')!;
      expect(large.buffer).toBe(false);
      expect(large.chunks.reduce((sum, size) => sum + size, 0)).toBe(SIZE);
      expect(large.chunks.length).toBeGreaterThan(16);
      expect(Math.max(...large.chunks)).toBeLessThanOrEqual(1024 * 1024);
      expect(Buffer.from((await files.read('global/large.bin'))!).equals(Buffer.from(content))).toBe(true);
    });
  });

  describe('maximum file size', () => {
    it.each([
      ['blob by blob', 1_000, ['blob:a.py', 'blob:fits.bin']],
      ['by archive', 1, ['archive:a.py', 'archive:fits.bin']],
    ])(
      'skips a file larger than maxFileBytes with a reason and never downloads it (%s)',
      async (_, archiveThreshold, expectedDownloads) => {
        const head = github.commit(REPO, {
          'big.bin': new Uint8Array(2_049),
          'fits.bin': new Uint8Array(2_048),
          'a.py': 'a',
        });
        const shas = new Map(
          (await github.open({ repository: REPO, token: TOKEN }).tree(head)).entries.map((entry) => [
            entry.sha,
            entry.path,
          ]),
        );
        const downloads: string[] = [];
        const result = await make(
          { maxFileBytes: 2_048, archiveThreshold },
          recordDownloads(github, downloads),
        ).execute(command());
        expect(result).toMatchObject({
          kind: 'completed',
          runs: [{ status: 'succeeded', counts: { written: 2, skipped: 1 } }],
        });
        const run = (result as { runs: readonly { skipped: readonly { path: string; reason: string }[] }[] }).runs[0]!;
        expect(run.skipped).toEqual([
          {
            path: 'big.bin',
            reason: 'file of 2049 bytes is larger than the maximum file size of 2048 bytes: not mirrored',
          },
        ]);
        expect(await listGlobal()).toEqual(['f:a.py', 'f:fits.bin']);
        expect(
          downloads
            .map((download) => download.replace(/^blob:(.*)$/, (__, sha: string) => `blob:${shas.get(sha)}`))
            .sort(),
        ).toEqual(expectedDownloads);
        expect([...(await metadata.getManifest(GLOBAL_SCOPE))!.entries.keys()].sort()).toEqual(['a.py', 'fits.bin']);
      },
    );

    it('defaults to 100 MiB, the largest file GitHub stores', async () => {
      expect(DEFAULT_MAX_FILE_BYTES).toBe(100 * 1024 * 1024);
    });
  });

  it('is a no-op when the folder already holds the head, recorded for pushes only', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await make().execute(command());
    const pushed = await make().execute(command('push'));
    expect(pushed).toMatchObject({ kind: 'completed', runs: [{ status: 'noop', sourceRequests: 1 }] });
    const reconciled = await make().execute(command('reconcile'));
    expect(reconciled).toMatchObject({ kind: 'completed', runs: [] });
  });

  it('repairs a folder that drifted from the manifest at the same commit (extra, missing and changed files)', async () => {
    github.commit(REPO, { 'a.py': 'a', 'b.py': 'b' });
    await make().execute(command());
    await files.delete('global/a.py');
    await files.write('global/b.py', new TextEncoder().encode('tampered!'));
    await files.write('global/stray/extra.txt', new TextEncoder().encode('x'));
    const result = await make().execute(command('reconcile'));
    expect(result.kind).toBe('completed');
    expect(await listGlobal()).toEqual(['f:a.py', 'f:b.py']);
    expect(await read('b.py')).toBe('b');
  });

  it('a push trusts a clean manifest; drift outside syncs is left to the next verifying trigger', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await make().execute(command());
    await files.write('global/stray.txt', new TextEncoder().encode('x'));
    expect(await make().execute(command('push'))).toMatchObject({ runs: [{ status: 'noop' }] });
    expect(await read('stray.txt')).toBe('x');
    expect(await make().execute(command('manual'))).toMatchObject({
      runs: [{ status: 'succeeded', counts: { deleted: 1 } }],
    });
    expect(await read('stray.txt')).toBeNull();
  });

  it('mirrors only the connection sub-path, re-rooted', async () => {
    github.commit(REPO, { 'scripts/prod/a.py': 'a', 'scripts/prod/x/b.py': 'b', 'README.md': 'r' });
    await metadata.saveConnection({ ...connection, subPath: 'scripts/prod' });
    await make({ archiveThreshold: 1 }).execute(command());
    expect(await listGlobal()).toEqual(['f:a.py', 'd:x', 'f:x/b.py']);
  });

  it('refuses to delete anything when the source tree is empty', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await make().execute(command());
    github.change(REPO, { remove: ['a.py'] });
    const result = await make().execute(command());
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'EmptySource', retryable: false } });
    expect(await read('a.py')).toBe('a');
  });

  it('changes nothing when a fetch fails, and says the failure is retryable', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await make().execute(command());
    github.change(REPO, { write: { 'a.py': 'a2', 'b.py': 'b' } });
    github.failNext('Unavailable', 1, { operation: 'blob' });
    const result = await make({ fetchConcurrency: 1 }).execute(command());
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'Unavailable', retryable: true } });
    expect(await listGlobal()).toEqual(['f:a.py']);
    expect(await read('a.py')).toBe('a');
    expect(
      await files.list('.workspace-sync', { recursive: true }).then((l) => l.filter((e) => e.kind === 'file')),
    ).toEqual([]);
    expect((await metadata.getConnection(GLOBAL_SCOPE))?.lastSyncOutcome).toBe('failed');
  });

  it.each([
    ['TokenMissing', async () => secrets.set('TOKEN', '')],
    ['BranchNotFound', async () => metadata.saveConnection({ ...connection, branch: 'gone' })],
  ])('fails permanently with %s', async (code, arrange) => {
    github.commit(REPO, { 'a.py': 'a' });
    await arrange();
    expect(await make().execute(command())).toMatchObject({ kind: 'failed', error: { code, retryable: false } });
  });

  it('a revoked token is a permanent failure', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    github.revokeToken(TOKEN);
    expect(await make().execute(command())).toMatchObject({
      kind: 'failed',
      error: { code: 'Unauthorized', retryable: false },
    });
  });

  it('skips unknown and disabled connections', async () => {
    expect(await make().execute(command('push', 'org-x' as Scope))).toEqual({
      kind: 'skipped',
      reason: 'NoConnection',
    });
    await metadata.saveConnection({ ...connection, enabled: false });
    expect(await make().execute(command())).toEqual({ kind: 'skipped', reason: 'Disabled' });
  });

  it('coalesces a trigger that arrives while the scope is busy and schedules one follow-up', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    const held = await metadata.acquireLease(GLOBAL_SCOPE, 'worker-b', clock.now(), 60_000);
    expect(held.kind).toBe('acquired');
    expect(await make().execute(command())).toEqual({ kind: 'coalesced', holder: 'worker-b' });
    expect(await make().execute(command())).toEqual({ kind: 'coalesced', holder: 'worker-b' });
    expect(queue.depth).toBe(1); // one lease-check, not one per trigger
    // The holder, on release, learns a trigger is pending and goes again.
    if (held.kind !== 'acquired') return;
    expect((await metadata.releaseLease(held.lease, clock.now(), 60_000)).kind).toBe('pending');
  });

  it('goes again when the head moved during the run, ending at the newest commit', async () => {
    github.commit(REPO, { 'a.py': 'a1' });
    let pushedMidRun = false;
    const racing = interceptBlobs(github, () => {
      if (pushedMidRun) return;
      pushedMidRun = true;
      github.change(REPO, { write: { 'a.py': 'a2', 'late.py': 'late' } });
    });
    const result = await make({}, racing).execute(command());
    expect(result).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded' }, { status: 'succeeded' }] });
    expect(await read('a.py')).toBe('a2');
    expect(await read('late.py')).toBe('late');
  });

  it('rewrites every file after a run died mid-commit (dirty manifest)', async () => {
    github.commit(REPO, { 'a.py': 'same size A', 'b.py': 'b' });
    await make().execute(command());
    await files.write('global/a.py', new TextEncoder().encode('same size B')); // half-applied state
    await metadata.markManifestDirty(GLOBAL_SCOPE);
    const result = await make().execute(command('reconcile'));
    expect(result).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded', counts: { written: 2 } }] });
    expect(await read('a.py')).toBe('same size A');
    expect((await metadata.getManifest(GLOBAL_SCOPE))?.dirty).toBe(false);
  });

  it('aborts before committing when its lease was taken over, leaving the folder untouched', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await make().execute(command());
    github.change(REPO, { write: { 'a.py': 'a2' } });
    const stealing = interceptBlobs(github, async () => {
      clock.advance(61_000); // this worker stalls past its lease ...
      await metadata.acquireLease(GLOBAL_SCOPE, 'worker-b', clock.now(), 60_000); // ... and another takes over
    });
    const result = await make({}, stealing).execute(command());
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'LeaseLost', retryable: true } });
    expect(await read('a.py')).toBe('a');
  });

  it('closes runs left running by a worker that died, once it holds the lease', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await metadata.saveRun(aSyncRun({ id: 'dead-run', status: 'running', startedAt: clock.now() }));
    await make().execute(command());
    expect(await metadata.getRun('dead-run')).toMatchObject({ status: 'failed', error: { code: 'Abandoned' } });
  });

  it('never touches another scope', async () => {
    github.commit(REPO, { 'a.py': 'a' });
    await files.write('orgs/o1/keep.py', new TextEncoder().encode('org file'));
    await files.write('globalx/keep.py', new TextEncoder().encode('neighbour'));
    await make().execute(command());
    expect(await files.read('orgs/o1/keep.py')).not.toBeNull();
    expect(await files.read('globalx/keep.py')).not.toBeNull();
  });
});
