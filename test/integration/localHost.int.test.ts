import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepo } from '../support/gitRepo';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/shutdown';

describe('local host', () => {
  let h: SyncHarness;
  let repo: GitRepo;

  beforeAll(async () => {
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
    await h.start([{ scope: 'GLOBAL', repository: REPO }], { SYNC_ARCHIVE_THRESHOLD: '1000', SYNC_FETCH_CONCURRENCY: '2' });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('answers unknown routes with 404, wrong methods with 405 and Allow, both as {error, message}', async () => {
    const base = h.host!.server.url;
    const missing = await fetch(`${base}/api/no/such/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'NotFound', message: expect.any(String) });
    const wrongMethod = await fetch(`${base}/api/github/webhook/GLOBAL`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ error: 'MethodNotAllowed' });
  });

  it('answers 413 to a webhook body over 5 MB, over the socket', async () => {
    const response = await fetch(`${h.host!.server.url}/api/github/webhook/GLOBAL`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: 'x'.repeat(5 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'PayloadTooLarge' });
  });

  it('stops taking requests on shutdown but lets the running sync finish', async () => {
    for (let i = 0; i < 12; i++) await repo.write(`slow/${i}.txt`, `file ${i}\n`);
    const head = await repo.commit('slow');
    h.peer.injectFault({ kind: 'delay', ms: 150, times: 100, match: /\/git\/blobs\// });
    expect((await h.push('GLOBAL')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker is fetching blobs now
    const url = h.host!.server.url;
    await h.stopHost();
    h.peer.clearFaults();
    expect(await h.differencesFromCommit('GLOBAL', REPO, head)).toEqual([]);
    await expect(fetch(`${url}/api/github/webhook/GLOBAL`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
