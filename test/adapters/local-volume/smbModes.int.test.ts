import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { probeVolume } from '../../../src/adapters/local-volume/probeVolume';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { SyncTrigger } from '../../../src/domain/sync/SyncCommand';
import { SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import type { FileEntry, FileStore } from '../../../src/ports/FileStore';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';

/**
 * Azure Files over SMB: file modes are fixed by the mount options (`file_mode=0755` and the like)
 * and chmod is accepted but ignored. Simulated here by a chmod that does nothing (what the probe and
 * the store see) and, for the sync, by a store that reports every file with the mount's mode.
 */
const ignoredChmod = (calls: string[] = []) => ({
  chmod: async (file: string, _mode: number) => {
    calls.push(file);
  },
});

const scratch = () => mkdtemp(join(tmpdir(), 'smb-modes-'));

describe('probeVolume: does a mode change stick?', () => {
  it('on a local disk it does', async () => {
    expect((await probeVolume(await scratch())).modesStick).toBe(true);
  });

  it('where chmod is ignored (an SMB mount) it does not', async () => {
    expect((await probeVolume(await scratch(), ignoredChmod())).modesStick).toBe(false);
  });
});

describe('LocalVolumeFileStore on a volume that ignores chmod', () => {
  it('promises no executable bit, and spends no chmod per write', async () => {
    const calls: string[] = [];
    const store = await LocalVolumeFileStore.open(await scratch(), { volume: ignoredChmod(calls) });
    expect(store.capabilities.executableBit).toBe(false);
    const atOpen = calls.length;
    await store.write('global/a.py', new TextEncoder().encode('a'));
    await store.write('global/run.sh', new TextEncoder().encode('#!/bin/sh'), { executable: true });
    expect(calls.length).toBe(atOpen);
  });

  it('still keeps the executable bit where chmod works', async () => {
    const store = await LocalVolumeFileStore.open(await scratch());
    expect(store.capabilities.executableBit).toBe(process.platform !== 'win32');
  });
});

/** The store as an SMB mount with `file_mode=0755` shows it: every file reads as executable, whatever was asked. */
function withMountModes(inner: FileStore): FileStore {
  const asMounted = (entry: FileEntry): FileEntry => (entry.kind === 'file' ? { ...entry, executable: true } : entry);
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'list')
        return async (dir: string, options?: { recursive?: boolean }) =>
          (await target.list(dir, options)).map(asMounted);
      if (property === 'stat')
        return async (path: string) => {
          const entry = await target.stat(path);
          return entry === null ? null : asMounted(entry);
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('a sync onto a volume that ignores chmod', () => {
  const REPO = 'acme/scripts';
  let github: InMemorySourceRepositoryFactory;
  let metadata: InMemoryMetadataRepo;
  let files: FileStore;
  let sync: SyncWorkspace;
  const clock = new ManualClock();
  const run = async (trigger: SyncTrigger) => {
    const result = await sync.execute({
      scope: GLOBAL_SCOPE,
      trigger,
      deliveryId: globalThis.crypto.randomUUID(),
      requestedAt: clock.now().toISOString(),
    });
    if (result.kind !== 'completed') throw new Error(`sync ${result.kind}`);
    return result.runs[0]!;
  };

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken('token-1');
    github.addRepository(REPO, { tokens: ['token-1'] });
    metadata = new InMemoryMetadataRepo();
    const secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', 'token-1');
    await metadata.saveConnection({
      scope: GLOBAL_SCOPE,
      repository: REPO,
      branch: 'main',
      subPath: '',
      tokenRef: 'TOKEN',
      webhookSecretRef: 'SECRET',
      enabled: true,
      webhook: { mode: 'manual' },
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    files = withMountModes(await LocalVolumeFileStore.open(await scratch(), { volume: ignoredChmod() }));
    const queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 1 });
    sync = new SyncWorkspace({
      metadata,
      files,
      sources: github,
      secrets,
      queue,
      clock,
      ids: new SequentialIdGenerator(),
      logger: captureLogger().logger,
      settings: {
        holderId: 'worker-a',
        leaseTtlMs: 60_000,
        fetchConcurrency: 4,
        archiveThreshold: 1_000,
        maxRounds: 5,
      },
    });
  });

  it('finds the folder in step on the next reconcile instead of rewriting every non-executable file', async () => {
    github.commit(REPO, { 'a.py': 'a', 'lib/b.py': 'b', 'bin/run.sh': { content: '#!/bin/sh', executable: true } });
    expect((await run('push')).counts.written).toBe(3);
    // Reconcile and manual syncs look at the folder itself: with modes compared, a.py and lib/b.py
    // (100644, shown executable by the mount) would be "different" and written again every time.
    expect(await run('manual')).toMatchObject({ status: 'noop', counts: { written: 0 } });
    github.change(REPO, { write: { 'a.py': 'a2' } });
    expect((await run('reconcile')).counts).toMatchObject({ written: 1, unchanged: 2 });
  });
});
