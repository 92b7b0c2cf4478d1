import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import { ProcessSyncCommand } from '../../../src/domain/sync/ProcessSyncCommand';
import { retryDelayMs } from '../../../src/domain/sync/RetryPolicy';
import type { SyncCommand } from '../../../src/domain/sync/SyncCommand';
import { SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import { FileStoreError } from '../../../src/ports/FileStore';
import { MetadataUnavailableError } from '../../../src/ports/MetadataRepo';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';

const REPO = 'acme/scripts';
const retry = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe('retry delays', () => {
  it('grow exponentially with jitter, are capped, and honour retry-after', () => {
    expect(retryDelayMs(1, retry, 0, () => 0)).toBe(500);
    expect(retryDelayMs(1, retry, 0, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, retry, 0, () => 1)).toBe(4_000);
    expect(retryDelayMs(20, retry, 0, () => 1)).toBe(60_000);
    expect(retryDelayMs(1, retry, 30_000, () => 0)).toBe(30_000);
  });
});

describe('ProcessSyncCommand', () => {
  let github: InMemorySourceRepositoryFactory;
  let metadata: InMemoryMetadataRepo;
  let clock: ManualClock;
  let secrets: InMemorySecretStore;
  let process: ProcessSyncCommand;
  const processWith = (files: InMemoryFileStore): ProcessSyncCommand => {
    const logger = captureLogger().logger;
    const sync = new SyncWorkspace({
      metadata,
      files,
      sources: github,
      secrets,
      queue: new InProcessCommandQueue({ duplicateWindowMs: 1, maxDeliveryCount: 1, retryBaseMs: 1 }),
      clock,
      ids: new SequentialIdGenerator('run'),
      logger,
      settings: { holderId: 'w', leaseTtlMs: 60_000, fetchConcurrency: 2, archiveThreshold: 100, maxRounds: 3 },
    });
    return new ProcessSyncCommand({ sync, metadata, clock, logger, retry, random: () => 1 });
  };
  const command = (attempt?: number, scope: Scope = GLOBAL_SCOPE): SyncCommand => ({
    scope,
    trigger: 'push',
    deliveryId: 'd-1',
    requestedAt: clock.now().toISOString(),
    ...(attempt ? { attempt } : {}),
  });

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken('t');
    github.addRepository(REPO, { tokens: ['t'] });
    github.commit(REPO, { 'a.py': 'a' });
    metadata = new InMemoryMetadataRepo();
    secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', 't');
    await metadata.saveConnection({
      scope: GLOBAL_SCOPE,
      repository: REPO,
      branch: 'main',
      subPath: '',
      tokenRef: 'TOKEN',
      webhookSecretRef: 'W',
      enabled: true,
      webhook: { mode: 'manual' },
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    clock = new ManualClock();
    process = processWith(new InMemoryFileStore());
  });

  const lastRun = async () => (await metadata.listRuns({ limit: 1 })).runs[0];

  it('completes a successful sync', async () => {
    expect(await process.execute(command())).toEqual({ kind: 'complete' });
  });

  it('schedules the next attempt of a retryable failure, and notes it on the run', async () => {
    github.failNext('Unavailable', 1, { operation: 'tree' });
    const settlement = await process.execute(command());
    expect(settlement).toEqual({
      kind: 'retry',
      command: { ...command(), attempt: 2 },
      notBefore: new Date(clock.now().getTime() + 1_000),
      reason: 'Unavailable',
    });
    // On the run of this attempt, named by the injected id generator.
    expect(await lastRun()).toMatchObject({ id: 'run-1', status: 'failed' });
    expect((await lastRun())?.queueOutcome).toEqual({
      action: 'retry-scheduled',
      attempt: 1,
      reason: 'Unavailable',
      retryAt: new Date(clock.now().getTime() + 1_000).toISOString(),
    });
  });

  it('dead-letters with SyncRetriesExhausted and the last error once the attempts are used up', async () => {
    github.failNext('Unavailable', 1, { operation: 'tree' });
    const settlement = await process.execute(command(3));
    expect(settlement).toMatchObject({
      kind: 'dead-letter',
      reason: 'SyncRetriesExhausted',
      description: expect.stringMatching(/after 3 attempts, last error Unavailable/),
    });
    expect((await lastRun())?.queueOutcome).toEqual({
      action: 'dead-lettered',
      attempt: 3,
      reason: 'SyncRetriesExhausted',
    });
  });

  it('dead-letters a permanent fault at once, with its own reason', async () => {
    github.revokeToken('t');
    expect(await process.execute(command())).toMatchObject({ kind: 'dead-letter', reason: 'Unauthorized' });
  });

  it('dead-letters a bug (an error that is not a Fault) at once as UnexpectedError, never retrying it', async () => {
    class BuggyFileStore extends InMemoryFileStore {
      override async write(): Promise<void> {
        throw new TypeError("Cannot read properties of undefined (reading 'length')");
      }
    }
    const settlement = await processWith(new BuggyFileStore()).execute(command());
    expect(settlement).toMatchObject({
      kind: 'dead-letter',
      reason: 'UnexpectedError',
      description: expect.stringContaining('TypeError: Cannot read properties'),
    });
    expect((await lastRun())?.error).toMatchObject({ code: 'UnexpectedError', retryable: false });
  });

  it('retries a store fault that says it is retryable', async () => {
    class FlakyFileStore extends InMemoryFileStore {
      override async write(): Promise<void> {
        throw new FileStoreError('Unavailable', 'share not answering');
      }
    }
    expect(await processWith(new FlakyFileStore()).execute(command())).toMatchObject({
      kind: 'retry',
      reason: 'Unavailable',
    });
  });

  describe('when the sync itself throws (before any run is recorded)', () => {
    const failingLease = async (thrown: Error): Promise<ProcessSyncCommand> => {
      const connection = await metadata.getConnection(GLOBAL_SCOPE);
      metadata = new (class extends InMemoryMetadataRepo {
        override async acquireLease(): Promise<never> {
          throw thrown;
        }
      })();
      await metadata.saveConnection(connection!);
      return processWith(new InMemoryFileStore());
    };

    it('schedules a retry of a retryable fault instead of abandoning the message', async () => {
      const processing = await failingLease(
        new MetadataUnavailableError('table storage unavailable during acquireLease (ECONNRESET)'),
      );
      expect(await processing.execute(command())).toMatchObject({
        kind: 'retry',
        reason: 'MetadataUnavailable',
        command: { attempt: 2 },
      });
    });

    it('dead-letters a bug at once as UnexpectedError, recording the decision, instead of five redeliveries', async () => {
      const processing = await failingLease(new TypeError("Cannot read properties of undefined (reading 'holder')"));
      const settlement = await processing.execute(command(), { messageId: 'm-bug', deliveryCount: 1 });
      expect(settlement).toMatchObject({
        kind: 'dead-letter',
        reason: 'UnexpectedError',
        description: expect.stringContaining('TypeError'),
      });
      expect(await metadata.getDeadLetterDecision('m-bug')).toMatchObject({ reason: 'UnexpectedError' });
    });
  });

  it('dead-letters a command for a scope nobody connected', async () => {
    expect(await process.execute(command(undefined, 'org-x' as Scope))).toMatchObject({
      kind: 'dead-letter',
      reason: 'UnknownScope',
    });
  });

  it('records a dead-letter decision under the message id; a redelivery of that message is settled from it without a sync', async () => {
    github.revokeToken('t');
    const first = await process.execute(command(), { messageId: 'm-1', deliveryCount: 1 });
    expect(first).toMatchObject({ kind: 'dead-letter', reason: 'Unauthorized' });
    expect(await metadata.getDeadLetterDecision('m-1')).toMatchObject({ reason: 'Unauthorized', at: clock.now() });
    const runs = (await metadata.listRuns({ limit: 100 })).runs.length;
    const requests = github.requestCount;

    expect(await process.execute(command(), { messageId: 'm-1', deliveryCount: 2 })).toEqual(first);
    expect(github.requestCount).toBe(requests);
    expect((await metadata.listRuns({ limit: 100 })).runs).toHaveLength(runs);
  });

  it('syncs a first delivery, and a redelivery without a decision, as usual', async () => {
    await metadata.recordDeadLetterDecision('m-2', { reason: 'Unauthorized', description: 'earlier', at: clock.now() });
    // A message id seen again after the duplicate window is a new message: delivery count 1.
    expect(await process.execute(command(), { messageId: 'm-2', deliveryCount: 1 })).toEqual({ kind: 'complete' });
    expect(await process.execute(command(), { messageId: 'm-3', deliveryCount: 2 })).toEqual({ kind: 'complete' });
  });
});
