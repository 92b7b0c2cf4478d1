import { createHmac } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReconcileHandler } from '../../src/functions/reconcile';
import { TYPES } from '../../src/host/identifiers';
import type { GitRepo } from '../support/gitRepo';
import { startServiceProcess, stopServiceProcess } from '../support/serviceProcess';
import { SYNC_QUEUE, SyncHarness } from '../support/syncHarness';

const REPO = 'acme/bus';

/** The worker on Service Bus (the AMQP test peer) through the real @azure/service-bus SDK. */
describe('sync commands on Service Bus', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  const api = (path: string, init?: RequestInit) => h.api(path, init);
  const deadLetters = async () =>
    ((await (await api('sync/dead-letters')).json()) as { deadLetters: Array<Record<string, unknown>> }).deadLetters;
  const expectMirrors = async () =>
    expect(await h.differencesFromCommit('GLOBAL', REPO, await repo.head())).toEqual([]);

  beforeAll(async () => {
    h = await SyncHarness.create({ queue: 'service-bus' });
    repo = await h.repo(REPO);
    await repo.write('a.py', 'print("a")\n');
    await repo.commit('initial');
    await h.start([{ scope: 'GLOBAL', repository: REPO }], {
      SYNC_MAX_ATTEMPTS: '3',
      SYNC_RETRY_BASE_SECONDS: '0.2',
      GITHUB_RETRIES: '0',
    });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('opens the queue link at start, before any webhook, which then uses it', async () => {
    // Generous: the warm-up runs in the background of the start, and a busy machine may be slow to open the link.
    await expect.poll(() => h.serviceBus?.sendersAttached(SYNC_QUEUE), { timeout: 20_000 }).toBe(1);
  });

  it('a webhook becomes a message and the message a sync', async () => {
    expect((await h.push('GLOBAL', { deliveryId: 'bus-1' })).status).toBe(202);
    expect(h.serviceBus?.sendersAttached(SYNC_QUEUE)).toBe(1);
    await h.idle();
    await expectMirrors();
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({ status: 'succeeded', deliveryId: 'bus-1' });
  });

  it('GitHub failing 3 times then recovering: one successful run after back-off', async () => {
    await h.stopHost();
    await h.start([{ scope: 'GLOBAL', repository: REPO }], {
      SYNC_MAX_ATTEMPTS: '5',
      SYNC_RETRY_BASE_SECONDS: '0.2',
      GITHUB_RETRIES: '0',
    });
    await repo.write('flaky.py', 'x = 1\n');
    await repo.commit('flaky');
    h.peer.injectFault({ kind: 'status', status: 503, times: 3, match: /\/git\/trees\// });
    await h.push('GLOBAL', { deliveryId: 'bus-flaky' });
    await h.idle();
    const runs = (await h.runs('GLOBAL')).filter((run) => run.deliveryId === 'bus-flaky');
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'failed', 'failed', 'failed']);
    await expectMirrors();
    await h.stopHost();
    await h.start([{ scope: 'GLOBAL', repository: REPO }], {
      SYNC_MAX_ATTEMPTS: '3',
      SYNC_RETRY_BASE_SECONDS: '0.2',
      GITHUB_RETRIES: '0',
    });
  });

  it('the longest organisation id and delivery id, retried 4 times: every message id stays within 128 characters and the sync lands', async () => {
    const longest = `o${'r'.repeat(63)}`;
    const env = { SYNC_MAX_ATTEMPTS: '5', SYNC_RETRY_BASE_SECONDS: '0.1', GITHUB_RETRIES: '0' };
    await h.stopHost();
    await h.start(
      [
        { scope: 'GLOBAL', repository: REPO },
        { scope: longest, repository: REPO },
      ],
      env,
    );
    try {
      h.peer.injectFault({ kind: 'status', status: 503, times: 4, match: /\/git\/trees\// });
      expect((await h.push(longest, { deliveryId: 'd'.repeat(100) })).status).toBe(202);
      await h.idle(5_000);
      expect((await h.runs(longest)).map((run) => run.status)).toEqual([
        'succeeded',
        'failed',
        'failed',
        'failed',
        'failed',
      ]);
      expect(await h.differencesFromCommit(longest, REPO, await repo.head())).toEqual([]);
      expect(await deadLetters()).toEqual([]);
    } finally {
      await h.stopHost();
      await h.start([{ scope: 'GLOBAL', repository: REPO }], {
        SYNC_MAX_ATTEMPTS: '3',
        SYNC_RETRY_BASE_SECONDS: '0.2',
        GITHUB_RETRIES: '0',
      });
    }
  });

  it('GitHub failing always: SyncRetriesExhausted in the dead-letter queue, replayed (inside the duplicate window) after recovery', async () => {
    await repo.write('b.py', 'print("b")\n');
    await repo.commit('b');
    h.peer.injectFault({ kind: 'status', status: 502, times: 1_000, match: /\/git\/trees\// });
    await h.push('GLOBAL', { deliveryId: 'bus-doomed' });
    await h.idle();
    const letters = await deadLetters();
    expect(letters).toEqual([
      expect.objectContaining({ messageId: 'GLOBAL:bus-doomed:attempt-3', reason: 'SyncRetriesExhausted' }),
    ]);
    expect(h.serviceBus!.stats(SYNC_QUEUE).deadLettered).toBe(1);

    h.peer.clearFaults();
    const replay = await api('sync/dead-letters/replay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ all: true }),
    });
    expect(((await replay.json()) as { replayed: unknown[] }).replayed).toHaveLength(1);
    await h.idle();
    await expectMirrors();
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({ status: 'succeeded', trigger: 'replay' });
    expect(await deadLetters()).toEqual([]);
  });

  it('a revoked token is dead-lettered at once with its reason', async () => {
    h.peer.revokeToken(h.token);
    try {
      await h.push('GLOBAL', { deliveryId: 'bus-revoked' });
      await h.idle();
    } finally {
      h.peer.addToken(h.token);
    }
    expect(await deadLetters()).toEqual([
      expect.objectContaining({ messageId: 'GLOBAL:bus-revoked', reason: 'Unauthorized' }),
    ]);
    await api('sync/dead-letters', { method: 'DELETE' });
  });

  it('a malformed message is dead-lettered and the worker goes on', async () => {
    const client = new ServiceBusClient(h.serviceBus!.connectionString);
    const sender = client.createSender(SYNC_QUEUE);
    try {
      await sender.sendMessages({ body: { hello: 'not a command' }, messageId: 'junk-1' });
    } finally {
      await sender.close();
      await client.close();
    }
    await h.idle();
    expect(await deadLetters()).toEqual([
      expect.objectContaining({ messageId: 'junk-1', reason: 'MalformedCommand', command: null }),
    ]);
    await repo.write('after-junk.py', 'ok\n');
    await repo.commit('after junk');
    await h.push('GLOBAL');
    await h.idle();
    await expectMirrors();
    await api('sync/dead-letters', { method: 'DELETE' });
  });

  it('the same message id sent twice inside the window is one message, one run', async () => {
    await repo.write('twice.py', 'once\n');
    await repo.commit('twice');
    const before = (await h.runs('GLOBAL')).length;
    const client = new ServiceBusClient(h.serviceBus!.connectionString);
    const sender = client.createSender(SYNC_QUEUE);
    const body = { scope: 'GLOBAL', trigger: 'push', deliveryId: 'same-id', requestedAt: new Date().toISOString() };
    try {
      await sender.sendMessages({ body, messageId: 'same-id', contentType: 'application/json' });
      await sender.sendMessages({ body, messageId: 'same-id', contentType: 'application/json' });
    } finally {
      await sender.close();
      await client.close();
    }
    await h.idle();
    expect((await h.runs('GLOBAL')).length - before).toBe(1);
  });

  it('a missed webhook: the reconcile timer brings the scope up to date', async () => {
    await repo.write('missed.py', 'nobody told us\n');
    await repo.commit('missed');
    const reconcile = makeReconcileHandler({
      reconcile: h.host!.container.get(TYPES.ReconcileConnections),
      logger: h.host!.logger,
    });
    await reconcile(undefined, new InvocationContext({ invocationId: 'timer' }));
    await h.idle();
    await expectMirrors();
  });

  it('a worker killed mid-sync: the message comes back after the lock expires and the folder converges', async () => {
    await h.stopHost();
    for (let i = 0; i < 40; i++) await repo.write(`kill/${i}.txt`, `file ${i}\n`);
    await repo.commit('many');
    const env = h.env({
      SYNC_LEASE_TTL_SECONDS: '3',
      SYNC_ARCHIVE_THRESHOLD: '1000',
      SYNC_FETCH_CONCURRENCY: '1',
      LOG_LEVEL: 'info',
    });
    const start = () => startServiceProcess(env);
    let proc = await start();
    h.peer.injectFault({ kind: 'delay', ms: 100, times: 40, match: /\/git\/blobs\// });
    const payload = JSON.stringify({
      ref: 'refs/heads/main',
      after: await repo.head(),
      deleted: false,
      repository: { full_name: REPO },
    });
    const response = await fetch(`${proc.url}/api/github/webhook/GLOBAL`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'bus-killed',
        'x-hub-signature-256': `sha256=${createHmac('sha256', h.webhookSecret).update(payload).digest('hex')}`,
      },
      body: payload,
    });
    expect(response.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1_200)); // mid-fetch: the message is locked by this process
    expect(h.serviceBus!.stats(SYNC_QUEUE).locked).toBe(1);
    await stopServiceProcess(proc.child, 'SIGKILL');
    h.peer.clearFaults();

    proc = await start();
    try {
      const deadline = Date.now() + 60_000;
      while ((await h.differencesFromCommit('GLOBAL', REPO, await repo.head())).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      await expectMirrors();
    } finally {
      expect(await stopServiceProcess(proc.child)).toBe(0); // SIGTERM: a graceful stop
    }
  }, 120_000);
});
