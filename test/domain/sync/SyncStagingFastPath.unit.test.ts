import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import { SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import { eachFileMove } from '../../../src/ports/FileMoves';
import type { FileContent, FileStore, WriteOptions } from '../../../src/ports/FileStore';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';

const REPO = 'acme/scripts';
const TOKEN = 'token-1';

/**
 * Issue #10: a sync stages each file with one scratch write (the store may skip the temp file and
 * per-file folder checks there) and moves the staged files into place as one batch (each folder
 * checked once), never one rename at a time; scope files are still only ever replaced by moves.
 */
describe('SyncWorkspace stages with scratch writes and commits with one batch of moves', () => {
  let github: InMemorySourceRepositoryFactory;
  let files: InMemoryFileStore;
  let metadata: InMemoryMetadataRepo;
  let calls: string[];
  let observed: FileStore;

  const sync = (archiveThreshold: number) =>
    new SyncWorkspace({
      metadata,
      files: observed,
      sources: github,
      secrets: (() => {
        const secrets = new InMemorySecretStore();
        void secrets.set('TOKEN', TOKEN);
        return secrets;
      })(),
      queue: new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 1 }),
      clock: new ManualClock(),
      ids: new SequentialIdGenerator(),
      logger: captureLogger().logger,
      settings: { holderId: 'worker-a', leaseTtlMs: 60_000, fetchConcurrency: 4, archiveThreshold, maxRounds: 1 },
    }).execute({
      scope: GLOBAL_SCOPE,
      trigger: 'push',
      deliveryId: globalThis.crypto.randomUUID(),
      requestedAt: new Date(0).toISOString(),
    });

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken(TOKEN);
    github.addRepository(REPO, { tokens: [TOKEN] });
    files = new InMemoryFileStore();
    metadata = new InMemoryMetadataRepo();
    calls = [];
    observed = new Proxy(files, {
      get(target, property, receiver) {
        if (property === 'write') {
          return (path: string, content: FileContent, options?: WriteOptions) => {
            calls.push(
              `write ${options?.scratch === true ? 'scratch' : 'atomic'} ${path.split('/').slice(0, 2).join('/')}`,
            );
            return target.write(path, content, options);
          };
        }
        if (property === 'rename') {
          return (from: string, to: string) => {
            calls.push(`rename ${to}`);
            return target.rename(from, to);
          };
        }
        if (property === 'moveAll') {
          return (moves: Parameters<FileStore['moveAll']>[0], options?: Parameters<FileStore['moveAll']>[1]) => {
            calls.push(`moveAll ${[...eachFileMove(moves)].length}`);
            return target.moveAll.call(receiver, moves, options);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
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

  it.each([
    ['blobs', 1_000],
    ['the archive', 1],
  ])('from %s', async (_, archiveThreshold) => {
    github.commit(REPO, { 'a.py': 'a', 'b/c.py': 'c', 'b/d/e.py': 'e' });
    const result = await sync(archiveThreshold);

    expect(result).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded', counts: { written: 3 } }] });
    expect(calls.filter((call) => call.startsWith('write'))).toEqual(
      Array(3).fill('write scratch .workspace-sync/staging'),
    );
    expect(calls.filter((call) => !call.startsWith('write'))).toEqual([
      'moveAll 3',
      'rename global/a.py',
      'rename global/b/c.py',
      'rename global/b/d/e.py',
    ]);
    expect(new TextDecoder().decode((await files.read('global/b/d/e.py'))!)).toBe('e');
  });
});
