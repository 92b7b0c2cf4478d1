import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRunView } from '../../src/functions/schemas/syncRunView';
import { ApiHarness } from '../support/apiHarness';
import { connectionsUrl, SecretWatch, syncJobsUrl } from './connectionApi';
import { orgHeader } from './workspaceApi';

type Run = SyncRunView;

/**
 * Sync history over HTTP. Runs come from real syncs against the GitHub peer: org-a has a connect run
 * and three no-op manual runs, org-b a connect run, org-fail a connect run and a failed one.
 */
describe('sync jobs API', () => {
  let api: ApiHarness;
  let http: SecretWatch;
  let admin: string;
  let editor: string;
  const failToken = `ghp_${randomBytes(18).toString('hex')}`;

  const list = (query: Record<string, string | number>, token = admin) =>
    http.call('GET', syncJobsUrl(query), { token });
  const syncNow = (scope: string) => http.call('POST', connectionsUrl(scope, 'sync'), { token: editor });
  const connect = async (scope: string, repository: string, token: string) => {
    const answer = await http.call('POST', connectionsUrl(), {
      token: editor,
      json: { repository, branch: 'main', token },
      headers: orgHeader(scope),
    });
    expect(answer.status).toBe(201);
  };
  /** Every page at `limit`, following continuation tokens. */
  const allPages = async (
    query: Record<string, string | number>,
    limit: number,
  ): Promise<{ runs: Run[]; pages: number }> => {
    const runs: Run[] = [];
    let pages = 0;
    let continuationToken: string | undefined;
    do {
      const answer = await list({ ...query, limit, ...(continuationToken ? { continuationToken } : {}) });
      expect(answer.status).toBe(200);
      expect(answer.json.items.length).toBeLessThanOrEqual(limit);
      runs.push(...answer.json.items);
      continuationToken = answer.json.continuationToken;
      pages += 1;
    } while (continuationToken !== undefined && pages < 50);
    return { runs, pages };
  };
  const expectNewestFirst = (runs: Run[]) => {
    for (let i = 1; i < runs.length; i++)
      expect(Date.parse(runs[i - 1]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i]!.startedAt));
  };

  beforeAll(async () => {
    api = await ApiHarness.start();
    http = new SecretWatch(api);
    http.watch(api.githubToken, failToken);
    [admin, editor] = await Promise.all([api.admin(), api.orgUser(['org-a', 'org-b', 'org-fail'], { editor: true })]);

    for (const name of ['acme/jobs-a', 'acme/jobs-b']) {
      const repo = await api.repo(name);
      await repo.write('run.ps1', `${name}\n`);
      await repo.commit('first');
    }
    const failing = await api.repo('acme/jobs-fail', { token: failToken });
    await failing.write('run.ps1', 'fail\n');
    await failing.commit('first');

    await connect('org-a', 'acme/jobs-a', api.githubToken);
    await connect('org-b', 'acme/jobs-b', api.githubToken);
    await connect('org-fail', 'acme/jobs-fail', failToken);
    await api.idle();
    for (let i = 0; i < 3; i++) {
      expect((await syncNow('org-a')).status).toBe(202);
      await api.idle();
    }
    api.peer.revokeToken(failToken);
    expect((await syncNow('org-fail')).status).toBe(202);
    await api.idle();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('lists every run newest first, each documented shape', async () => {
    const answer = await list({});
    expect(answer.status).toBe(200);
    const runs = answer.json.items as Run[];
    expect(runs).toHaveLength(7);
    expect(answer.json.continuationToken).toBeUndefined();
    expectNewestFirst(runs);
    expect(runs[0]).toMatchObject({ scope: 'org-fail', trigger: 'manual', status: 'failed' });
    expect(new Set(runs.map((run) => run.id)).size).toBe(7);
  });

  it('filters by scope and by status', async () => {
    const orgA = (await list({ scope: 'org-a' })).json.items as Run[];
    expect(orgA.map((run) => [run.trigger, run.status])).toEqual([
      ['manual', 'noop'],
      ['manual', 'noop'],
      ['manual', 'noop'],
      ['connect', 'succeeded'],
    ]);
    expect(orgA.every((run) => run.scope === 'org-a')).toBe(true);
    expectNewestFirst(orgA);

    const noops = (await list({ status: 'noop' })).json.items as Run[];
    expect(noops).toHaveLength(3);
    expect(noops.every((run) => run.status === 'noop' && run.scope === 'org-a')).toBe(true);
    const succeeded = (await list({ status: 'succeeded' })).json.items as Run[];
    expect(succeeded.map((run) => run.scope).sort()).toEqual(['org-a', 'org-b', 'org-fail']);
    expect((await list({ scope: 'org-b', status: 'noop' })).json.items).toEqual([]);

    const failed = (await list({ status: 'failed' })).json.items as Run[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ scope: 'org-fail', status: 'failed', error: { retryable: false } });
    expect(JSON.stringify(failed[0])).not.toContain(failToken);
    expect((await list({ scope: 'org-fail', status: 'failed' })).json.items).toEqual(failed);

    for (const query of [{ status: 'done' }, { scope: 'not a scope!' }] as Array<Record<string, string>>) {
      const refused = await list(query);
      expect([refused.status, refused.json.error]).toEqual([400, 'InvalidQuery']);
    }
  });

  it('limit is 1..100: 0, 101 and non-numbers are 400', async () => {
    for (const limit of ['0', '101', '-1', 'ten', '2.5']) {
      const refused = await list({ limit });
      expect({ limit, status: refused.status, error: refused.json.error }).toEqual({
        limit,
        status: 400,
        error: 'InvalidQuery',
      });
    }
    const one = await list({ limit: 1 });
    expect(one.status).toBe(200);
    expect(one.json.items).toHaveLength(1);
    expect(one.json.continuationToken).toEqual(expect.any(String));
    const hundred = await list({ limit: 100 });
    expect(hundred.json.items).toHaveLength(7);
    expect(hundred.json.continuationToken).toBeUndefined();
  });

  it('pages with continuationToken cover the list once, with and without filters; a foreign token is 400', async () => {
    const everything = (await list({ limit: 100 })).json.items as Run[];
    for (const limit of [1, 2, 3]) {
      const { runs, pages } = await allPages({}, limit);
      expect(runs.map((run) => run.id)).toEqual(everything.map((run) => run.id));
      expect(pages).toBe(Math.ceil(everything.length / limit));
    }
    const orgA = (await list({ scope: 'org-a' })).json.items as Run[];
    expect((await allPages({ scope: 'org-a' }, 3)).runs.map((run) => run.id)).toEqual(orgA.map((run) => run.id));
    const noops = (await list({ status: 'noop' })).json.items as Run[];
    expect((await allPages({ status: 'noop' }, 2)).runs.map((run) => run.id)).toEqual(noops.map((run) => run.id));

    const foreign = [
      'garbage',
      Buffer.from(JSON.stringify({ v: 2, after: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ v: 1, after: '../../etc' })).toString('base64url'),
    ];
    for (const continuationToken of foreign) {
      const refused = await list({ continuationToken });
      expect({ continuationToken, status: refused.status, error: refused.json.error }).toEqual({
        continuationToken,
        status: 400,
        error: 'InvalidContinuationToken',
      });
    }
  });

  it('gets one run by id; an unknown id is 404', async () => {
    const [newest] = (await list({ limit: 1 })).json.items as Run[];
    const one = await http.call('GET', `/api/sync-jobs/${encodeURIComponent(newest!.id)}`, { token: admin });
    expect(one.status).toBe(200);
    expect(one.json).toEqual(newest);
    for (const id of ['no-such-run', 'bad%20id%3F']) {
      const missing = await http.call('GET', `/api/sync-jobs/${id}`, { token: admin });
      expect([missing.status, missing.json.error]).toEqual([404, 'NotFound']);
    }
  });

  it('org users see their organisations only: another org’s run is 404, two orgs without scope is 400 ScopeRequired', async () => {
    const userB = await api.orgUser(['org-b']);
    const userAB = await api.orgUser(['org-a', 'org-b']);
    const runA = ((await list({ scope: 'org-a', limit: 1 })).json.items as Run[])[0]!;
    const runB = ((await list({ scope: 'org-b', limit: 1 })).json.items as Run[])[0]!;

    const hidden = await http.call('GET', `/api/sync-jobs/${runA.id}`, { token: userB });
    expect([hidden.status, hidden.json.error]).toEqual([404, 'NotFound']);
    expect((await http.call('GET', `/api/sync-jobs/${runB.id}`, { token: userB })).json).toEqual(runB);

    const own = await list({}, userB);
    expect(own.status).toBe(200);
    expect((own.json.items as Run[]).map((run) => run.scope)).toEqual(['org-b']);
    const other = await list({ scope: 'org-a' }, userB);
    expect([other.status, other.json.error]).toEqual([403, 'Forbidden']);
    const global = await list({ scope: 'GLOBAL' }, userB);
    expect([global.status, global.json.error]).toEqual([403, 'Forbidden']);

    const ambiguous = await list({}, userAB);
    expect([ambiguous.status, ambiguous.json.error]).toEqual([400, 'ScopeRequired']);
    const named = await list({ scope: 'org-a' }, userAB);
    expect(named.status).toBe(200);
    expect(named.json.items).toHaveLength(4);
    const none = await list({}, await api.orgUser([]));
    expect([none.status, none.json.error]).toEqual([400, 'ScopeRequired']);
  });

  it('sync now answers 202 and a new run with its delivery id appears', async () => {
    const before = (await list({ scope: 'org-b' })).json.items as Run[];
    const queued = await syncNow('org-b');
    expect(queued.status).toBe(202);
    expect(queued.json).toEqual({ message: expect.any(String), deliveryId: expect.any(String) });
    await api.idle();
    const after = (await list({ scope: 'org-b' })).json.items as Run[];
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({
      scope: 'org-b',
      trigger: 'manual',
      deliveryId: queued.json.deliveryId,
      status: 'noop',
    });
    expect(after.slice(1)).toEqual(before);

    const reader = await api.orgUser(['org-b']);
    const refused = await http.call('POST', connectionsUrl('org-b', 'sync'), { token: reader });
    expect([refused.status, refused.json.error]).toEqual([403, 'Forbidden']);
  });

  it('no answer carried a GitHub token, and every answer matched the OpenAPI document', () => {
    expect(http.leaks).toEqual([]);
    expect(api.violations).toEqual([]);
  });
});
