import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { SyncTrigger } from '../../../src/domain/sync/SyncCommand';
import { type SyncSettings, SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import type { FileStore } from '../../../src/ports/FileStore';
import type { BackupInfo, WorkspaceBackups } from '../../../src/ports/WorkspaceBackups';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';

const REPO = 'acme/scripts';
const TOKEN = 'token-1';
const TTL_MS = 60_000;

/** Lets every pending promise continuation run (a renewal woken by the clock included); no time passes. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A sync phase that outlives the lease TTL must renew the lease as it goes: otherwise another
 * worker takes the scope over while this one is still committing or backing up. Time is a
 * ManualClock moved by the slow store itself, so nothing really waits.
 */
describe('SyncWorkspace keeps its lease through long phases', () => {
  let github: InMemorySourceRepositoryFactory;
  let files: InMemoryFileStore;
  let metadata: InMemoryMetadataRepo;
  let secrets: InMemorySecretStore;
  let clock: ManualClock;
  let settings: SyncSettings;
  /** What another worker got each time it asked for the scope during the slow phase. */
  let otherWorker: string[];

  const sync = (store: FileStore, trigger: SyncTrigger, backups?: WorkspaceBackups) =>
    new SyncWorkspace({
      metadata,
      files: store,
      sources: github,
      secrets,
      queue: new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 1 }),
      clock,
      ids: new SequentialIdGenerator(),
      logger: captureLogger().logger,
      settings,
      ...(backups ? { backups } : {}),
    }).execute({
      scope: GLOBAL_SCOPE,
      trigger,
      deliveryId: globalThis.crypto.randomUUID(),
      requestedAt: clock.now().toISOString(),
    });

  /** Another worker asks for the scope without marking it pending: 'busy' while our lease holds. */
  const otherWorkerAsks = async () => {
    const attempt = await metadata.acquireLease(GLOBAL_SCOPE, 'worker-b', clock.now(), TTL_MS, { markPending: false });
    otherWorker.push(attempt.kind);
  };

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken(TOKEN);
    github.addRepository(REPO, { tokens: [TOKEN] });
    files = new InMemoryFileStore();
    metadata = new InMemoryMetadataRepo();
    secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', TOKEN);
    clock = new ManualClock();
    settings = { holderId: 'worker-a', leaseTtlMs: TTL_MS, fetchConcurrency: 4, archiveThreshold: 1_000, maxRounds: 1 };
    otherWorker = [];
    const now = new Date(0);
    await metadata.saveConnection({
      scope: GLOBAL_SCOPE,
      repository: REPO,
      branch: 'main',
      subPath: '',
      tokenRef: 'TOKEN',
      webhookSecretRef: 'SECRET',
      enabled: true,
      webhook: { mode: 'manual' },
      createdAt: now,
      updatedAt: now,
    });
  });

  it('renews during a long commit: 20 renames on a share that takes 10 s each', async () => {
    const paths = Array.from({ length: 20 }, (_, i) => `f${i}.py`);
    github.commit(REPO, Object.fromEntries(paths.map((path) => [path, `${path} v1`])));
    const slowShare: FileStore = new Proxy(files, {
      get(target, property, receiver) {
        if (property !== 'rename') return Reflect.get(target, property, receiver);
        return async (from: string, to: string) => {
          await otherWorkerAsks();
          clock.advance(10_000);
          await target.rename(from, to);
        };
      },
    });

    const result = await sync(slowShare, 'push');

    expect(result).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded', counts: { written: 20 } }] });
    expect(otherWorker).toHaveLength(20);
    expect(
      otherWorker.every((kind) => kind === 'busy'),
      `other worker got: ${otherWorker.join(', ')}`,
    ).toBe(true);
  });

  it('stops committing at once when a rename outlasted the lease and another worker took the scope', async () => {
    github.commit(REPO, Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.py`, `v1 ${i}`])));
    await sync(files, 'push');
    github.change(REPO, { write: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.py`, `v2 ${i}`])) });
    let renames = 0;
    const stallingShare: FileStore = new Proxy(files, {
      get(target, property, receiver) {
        if (property !== 'rename') return Reflect.get(target, property, receiver);
        return async (from: string, to: string) => {
          renames++;
          await target.rename(from, to);
          clock.advance(TTL_MS + 1_000); // the share hangs past the lease ...
          await otherWorkerAsks(); // ... and another worker takes the scope
        };
      },
    });

    const result = await sync(stallingShare, 'push');

    expect(result).toMatchObject({ kind: 'failed', error: { code: 'LeaseLost', retryable: true } });
    expect(otherWorker).toEqual(['acquired']);
    expect(renames).toBe(1);
    expect((await metadata.getManifest(GLOBAL_SCOPE))?.dirty).toBe(true); // the next run rewrites every file
  });

  it('renews during a long backup, and still commits after it', async () => {
    github.commit(REPO, { 'a.py': 'a1' });
    await sync(files, 'push');
    await files.write('global/a.py', new TextEncoder().encode('edited by hand'));
    github.change(REPO, { write: { 'a.py': 'a2' } });
    const slowBackups: WorkspaceBackups = {
      async create(scope, reason): Promise<BackupInfo> {
        // Zipping a large folder: five minutes, in steps, while the sync waits on this one call.
        for (let step = 0; step < 10; step++) {
          clock.advance(30_000);
          await settle();
          await otherWorkerAsks();
        }
        return { id: 'backup-1', scope, createdAt: clock.now(), reason, size: 1 };
      },
      list: async () => [],
      open: async () => null,
    };

    const result = await sync(files, 'manual', slowBackups);

    expect(result).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded', backupId: 'backup-1' }] });
    expect(new TextDecoder().decode((await files.read('global/a.py'))!)).toBe('a2');
    expect(otherWorker, `other worker got: ${otherWorker.join(', ')}`).toEqual(Array(10).fill('busy'));
  });
});
