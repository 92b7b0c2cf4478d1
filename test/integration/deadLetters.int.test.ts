import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlqCli } from '../../src/host/dlqCli';
import type { GitRepo } from '../support/gitRepo';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/dlq';

/** Retries, dead letters and replay, end to end through the local host (in-process queue). */
describe('failing syncs: retries, dead letters, replay', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  const api = (path: string, init?: RequestInit) => h.api(path, init);

  beforeAll(async () => {
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
    await repo.write('a.py', 'print("a")\n');
    await repo.commit('initial');
    await h.start([{ scope: 'GLOBAL', repository: REPO }], {
      SYNC_MAX_ATTEMPTS: '4',
      SYNC_RETRY_BASE_SECONDS: '0.2',
      GITHUB_RETRIES: '0',
    });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('GitHub failing 3 times then recovering: one successful run after back-off', async () => {
    h.peer.injectFault({ kind: 'status', status: 503, times: 3, match: /\/git\/trees\// });
    await h.push('GLOBAL', { deliveryId: 'flaky' });
    await h.idle(5_000);
    const runs = await h.runs('GLOBAL');
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'failed', 'failed', 'failed']);
    expect(runs.slice(1).map((run) => run.queueOutcome?.attempt)).toEqual([3, 2, 1]);
    expect(runs.slice(1).every((run) => run.queueOutcome?.action === 'retry-scheduled')).toBe(true);
    // Back-off doubles: at least 100 + 200 + 400 ms between the first and the last attempt.
    expect(runs[0]!.startedAt.getTime() - runs[3]!.startedAt.getTime()).toBeGreaterThanOrEqual(700);
    expect(await h.differencesFromCommit('GLOBAL', REPO, await repo.head())).toEqual([]);
  });

  it('GitHub failing always: dead-lettered as SyncRetriesExhausted, listed, then replayed once GitHub recovers', async () => {
    await repo.write('b.py', 'print("b")\n');
    const head = await repo.commit('b');
    h.peer.injectFault({ kind: 'status', status: 502, times: 1_000, match: /\/git\/trees\// });
    await h.push('GLOBAL', { deliveryId: 'doomed' });
    await h.idle(5_000);

    const listed = await api('sync/dead-letters');
    expect(listed.status).toBe(200);
    const { count, deadLetters } = (await listed.json()) as {
      count: number;
      deadLetters: Array<Record<string, unknown>>;
    };
    expect(count).toBe(1);
    expect(deadLetters[0]).toMatchObject({
      reason: 'SyncRetriesExhausted',
      command: { scope: 'GLOBAL', deliveryId: 'doomed', attempt: 4 },
    });
    expect(String(deadLetters[0]!.description)).toMatch(/after 4 attempts, last error Unavailable/);
    expect((await h.runs('GLOBAL'))[0]!.queueOutcome).toMatchObject({
      action: 'dead-lettered',
      reason: 'SyncRetriesExhausted',
      attempt: 4,
    });

    h.peer.clearFaults();
    const lines: string[] = [];
    process.env.WSYNC_URL = h.host!.server.url;
    try {
      expect(await runDlqCli(['replay', '--all'], (line) => lines.push(line))).toBe(0);
    } finally {
      delete process.env.WSYNC_URL;
    }
    expect(lines).toEqual(['replayed 1']);
    await h.idle(5_000);
    expect(await h.differencesFromCommit('GLOBAL', REPO, head)).toEqual([]);
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({ status: 'succeeded', trigger: 'replay', commitSha: head });
    expect(await (await api('sync/dead-letters')).json()).toEqual({ count: 0, deadLetters: [] });
  });

  it('a revoked token: dead-lettered at once with its reason', async () => {
    const before = (await h.runs('GLOBAL')).length;
    h.peer.revokeToken(h.token);
    try {
      await h.push('GLOBAL', { deliveryId: 'revoked' });
      await h.idle(2_000);
    } finally {
      h.peer.addToken(h.token);
    }
    expect((await h.runs('GLOBAL')).length - before).toBe(1);
    const { deadLetters } = (await (await api('sync/dead-letters')).json()) as {
      deadLetters: Array<{ messageId: string; reason: string }>;
    };
    expect(deadLetters).toEqual([expect.objectContaining({ messageId: 'GLOBAL:revoked', reason: 'Unauthorized' })]);
  });

  it('validates replay requests and purges', async () => {
    const bad = await api('sync/dead-letters/replay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messageIds": []}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'InvalidReplayRequest' });
    const notJson = await api('sync/dead-letters/replay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'nope',
    });
    expect(await notJson.json()).toMatchObject({ error: 'InvalidJson' });
    const purge = await api('sync/dead-letters', { method: 'DELETE' });
    expect(await purge.json()).toEqual({ purged: 1 });
    expect(await (await api('sync/dead-letters')).json()).toEqual({ count: 0, deadLetters: [] });
  });
});
