import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandMessageId, type SyncCommand } from '../../src/domain/sync/SyncCommand';
import type { QueueHandler } from '../../src/functions/definitions';
import { syncWorkerFunction } from '../../src/functions/syncWorker';
import { type BuiltContainer, buildContainer } from '../../src/host/buildContainer';
import { loadConfig } from '../../src/host/config';
import type { GitRepo } from '../support/gitRepo';
import { aSyncCommand } from '../support/mothers';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/functions-host';

/**
 * The sync worker as the Functions host runs it: the function's registered handler, built from a
 * container of its own per worker instance, called with the trigger's metadata. The trigger completes
 * a message when the handler returns and abandons it when it throws, and Service Bus hands an
 * abandoned message out again at once with its delivery count raised.
 */
describe('syncWorker under the Functions host', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  const instances: BuiltContainer[] = [];

  beforeAll(async () => {
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
    await repo.write('a.py', 'print("a")\n');
    await repo.commit('initial');
    // The local host only serves the tables and the API here: the worker instances below consume.
    await h.start([{ scope: 'GLOBAL', repository: REPO }], { WORKER_ENABLED: 'false', GITHUB_RETRIES: '0' });
  });
  afterAll(async () => {
    for (const instance of instances) await instance.lifecycle.stopAll();
    await h?.dispose();
  });

  /** One worker instance: what the Functions host registers for `syncWorker`, built from its own container. */
  async function workerInstance(): Promise<QueueHandler> {
    const env = h.env({ WORKER_ENABLED: 'false', GITHUB_RETRIES: '0' });
    const built = await buildContainer(loadConfig(env), { env });
    instances.push(built);
    return syncWorkerFunction.build(built.container);
  }

  async function pushCommand(deliveryId: string): Promise<SyncCommand> {
    return aSyncCommand({ deliveryId, commitSha: await repo.head(), requestedAt: new Date().toISOString() });
  }

  /** One delivery of a message, as the Service Bus trigger makes it. */
  function deliver(handler: QueueHandler, body: SyncCommand, messageId: string, deliveryCount: number): Promise<void> {
    const context = new InvocationContext({
      invocationId: globalThis.crypto.randomUUID(),
      functionName: 'syncWorker',
      triggerMetadata: { messageId, deliveryCount, enqueuedTimeUtc: new Date().toISOString() },
      logHandler: () => undefined,
    });
    return handler(body, context);
  }

  it('a permanent failure: the redelivery, on another instance, throws again at once without touching GitHub or making a run', async () => {
    const first = await workerInstance();
    const second = await workerInstance();
    const body = await pushCommand('fn-revoked');
    const messageId = await commandMessageId(body);

    h.peer.revokeToken(h.token);
    try {
      await expect(deliver(first, body, messageId, 1)).rejects.toThrow(/^Unauthorized: /);
      const runs = await h.runs('GLOBAL');
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        status: 'failed',
        deliveryId: 'fn-revoked',
        queueOutcome: { action: 'dead-lettered', reason: 'Unauthorized' },
      });

      h.peer.resetRequests();
      await expect(deliver(second, body, messageId, 2)).rejects.toThrow(/^Unauthorized: /);
      await expect(deliver(first, body, messageId, 3)).rejects.toThrow(/^Unauthorized: /);
      expect(h.peer.requests).toEqual([]);
      expect(await h.runs('GLOBAL')).toHaveLength(1);
    } finally {
      h.peer.addToken(h.token);
    }
  });

  it('a redelivery without a recorded decision (the first worker died mid-sync) syncs as usual', async () => {
    const worker = await workerInstance();
    await repo.write('b.py', 'print("b")\n');
    const head = await repo.commit('b');
    const body = await pushCommand('fn-crashed');
    await deliver(worker, body, await commandMessageId(body), 2);
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({
      status: 'succeeded',
      deliveryId: 'fn-crashed',
      commitSha: head,
    });
    expect(await h.differencesFromCommit('GLOBAL', REPO, head)).toEqual([]);
  });

  it('a retryable failure: the handler returns (the trigger completes) and the next attempt waits on the queue', async () => {
    const worker = await workerInstance();
    h.peer.injectFault({ kind: 'status', status: 503, times: 1, match: /\/git\/trees\// });
    await repo.write('c.py', 'print("c")\n');
    await repo.commit('c');
    const body = await pushCommand('fn-flaky');
    await expect(deliver(worker, body, await commandMessageId(body), 1)).resolves.toBeUndefined();
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({
      status: 'failed',
      deliveryId: 'fn-flaky',
      queueOutcome: { action: 'retry-scheduled', attempt: 1 },
    });
  });
});
