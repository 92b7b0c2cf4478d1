import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepo } from '../support/gitRepo';
import { rawExchange, rawRequest } from '../support/rawHttp';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/shutdown';
const SPA = 'https://spa.example';

describe('local host', () => {
  let h: SyncHarness;
  let repo: GitRepo;

  beforeAll(async () => {
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
    await h.start([{ scope: 'GLOBAL', repository: REPO }], {
      SYNC_ARCHIVE_THRESHOLD: '1000',
      SYNC_FETCH_CONCURRENCY: '2',
      CORS_ALLOWED_ORIGINS: SPA,
    });
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

  it('answers 413 to a signed webhook body over 5 MB, and 401 to an unsigned one without reading it, over the socket', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${h.host!.server.url}/api/github/webhook/GLOBAL`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers },
        body: 'x'.repeat(5 * 1024 * 1024 + 1),
      });
    const signed = await post({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
    expect(signed.status).toBe(413);
    expect(await signed.json()).toMatchObject({ error: 'PayloadTooLarge' });
    const unsigned = await post({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: 'SignatureMissing' });
  });

  // The development identity is an admin without a token: a web page must not be able to use it.
  describe('cross-site requests (development identity)', () => {
    const attack = JSON.stringify({
      repository: 'evil/scripts',
      branch: 'main',
      token: 'ghp_x',
      confirmOverwrite: true,
    });

    it('refuses a cross-site form post, and a JSON body sent as anything but application/json', async () => {
      const before = await (await h.api('github-connections/GLOBAL')).json();
      // <form enctype="text/plain" method="post"> on another site: the browser names that site in Origin.
      const crossSite = await h.api('github-connections', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' },
        body: attack,
      });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toEqual({
        error: 'OriginNotAllowed',
        message: expect.stringContaining('https://attacker.example'),
      });
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const answer = await h.api('github-connections/GLOBAL', {
          method: 'PATCH',
          headers: { 'content-type': type },
          body: JSON.stringify({ branch: 'other' }),
        });
        expect({ type, status: answer.status }).toEqual({ type, status: 415 });
        expect(await answer.json()).toMatchObject({ error: 'UnsupportedMediaType' });
      }
      const noType = await h.api('github-connections/GLOBAL', {
        method: 'PATCH',
        body: new Blob([JSON.stringify({ branch: 'other' })]),
      });
      expect(noType.status).toBe(415);
      expect(await (await h.api('github-connections/GLOBAL')).json()).toEqual(before);
      // A body-less cross-site post (sync now) is refused on its Origin alone.
      const syncNow = await h.api('github-connections/GLOBAL/sync', {
        method: 'POST',
        headers: { origin: 'https://attacker.example' },
      });
      expect(syncNow.status).toBe(403);
      expect(syncNow.headers.get('access-control-allow-origin')).toBeNull();
      // The service's own pages (same origin) and the configured SPA origin are served.
      const own = await h.api('github-connections/GLOBAL', { headers: { origin: h.host!.server.url } });
      expect(own.status).toBe(200);
      const spa = await h.api('github-connections/GLOBAL', { headers: { origin: SPA } });
      expect(spa.status).toBe(200);
      expect(spa.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(spa.headers.get('vary')).toMatch(/origin/i);
    });

    it('answers only to loopback names (DNS rebinding), except the webhook, which GitHub calls under any name', async () => {
      const { port } = new URL(h.host!.server.url);
      const rebound = await rawRequest(h.host!.server.url, 'GET', '/api/github-connections', {
        host: `rebound.attacker.example:${port}`,
      });
      expect(rebound.status).toBe(403);
      expect(rebound.json).toEqual({ error: 'HostNotAllowed', message: expect.any(String) });
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'LOCALHOST']) {
        const answer = await rawRequest(h.host!.server.url, 'GET', '/api/github-connections', { host });
        expect({ host, status: answer.status, connection: answer.headers.connection }).toEqual({
          host,
          status: 200,
          connection: 'keep-alive',
        });
      }
      const webhook = await rawRequest(
        h.host!.server.url,
        'POST',
        '/api/github/webhook/GLOBAL',
        { host: 'abc123.tunnel.example', 'content-type': 'application/json', 'x-github-event': 'ping' },
        '{}',
      );
      expect(webhook.status).toBe(401);
      expect(webhook.json).toMatchObject({ error: 'SignatureMissing' });
    });

    it('answers CORS preflights: the allowed origin gets a grant for the methods and headers the API uses, others none', async () => {
      const preflight = (origin: string, method: string) =>
        rawRequest(h.host!.server.url, 'OPTIONS', '/api/workspace/files?path=a.txt', {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization, content-type, if-match, x-organization-id',
        });
      const granted = await preflight(SPA, 'PUT');
      expect(granted.status).toBe(204);
      expect(granted.headers['access-control-allow-origin']).toBe(SPA);
      expect(granted.headers['access-control-allow-methods']?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'PUT']);
      expect(granted.headers['access-control-allow-headers']?.split(/,\s*/).sort()).toEqual([
        'authorization',
        'content-type',
        'if-match',
        'if-none-match',
        'x-organization-id',
      ]);
      expect(granted.headers['access-control-allow-credentials']).toBeUndefined();
      expect(granted.headers.vary).toMatch(/origin/i);
      const refused = await preflight('https://attacker.example', 'PUT');
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: 'OriginNotAllowed' });
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const unknown = await preflight(SPA, 'GET').then(() =>
        rawRequest(h.host!.server.url, 'OPTIONS', '/api/no/such/route', {
          origin: SPA,
          'access-control-request-method': 'GET',
        }),
      );
      expect(unknown.status).toBe(404);
      // An actual cross-origin answer exposes the headers the SPA reads.
      const read = await h.api('health', { headers: { origin: SPA } });
      expect(read.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('etag');
    });

    it('answers malformed percent-encoding and odd Host headers with 400, not 500', async () => {
      const malformed = await h.api('github-connections/%E0%A4%A');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: 'InvalidUrl', message: expect.any(String) });
      const hosts = [
        '',
        'a b',
        'x'.repeat(300),
        'user@127.0.0.1',
        '127.0.0.1:99999',
        '[::1',
        'exa%mple',
        '127.0.0.1/path',
      ];
      for (const host of hosts) {
        const { statusLine, text } = await rawExchange(h.host!.server.url, `GET /api/health HTTP/1.1\r\nHost: ${host}`);
        expect({ host, statusLine }).toEqual({ host, statusLine: 'HTTP/1.1 400 Bad Request' });
        expect(text).toContain('"error":"InvalidHost"');
      }
    });
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
