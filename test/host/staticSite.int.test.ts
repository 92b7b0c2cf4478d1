import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStaticSite } from '../../src/host/staticSite';

/** The built web app as the local host serves it: caching, SPA fallback, CSP, nothing outside the folder. */
describe('static site', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wsync-site-'));
    const root = join(dir, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    const site = await loadStaticSite(root, { authorityOrigin: 'https://login.microsoftonline.com' });
    server = createServer((req, res) => {
      void site!.handle(req, res).then((served) => {
        if (!served) res.writeHead(404).end('not the site');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html revalidated, with a CSP of self plus the sign-in authority', async () => {
    const answer = await fetch(`${base}/`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' https://login.microsoftonline.com");
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': answer.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('caches hashed assets for a year', async () => {
    const answer = await fetch(`${base}/assets/index-abc123.js`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(answer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers client-side routes with index.html, but not missing assets or the API', async () => {
    expect(await (await fetch(`${base}/workspace?scope=GLOBAL`)).text()).toContain('<title>app</title>');
    expect((await fetch(`${base}/assets/missing-1.js`)).status).toBe(404);
    expect((await fetch(`${base}/missing.css`)).status).toBe(404);
    expect(await (await fetch(`${base}/api/health`)).text()).toBe('not the site');
    expect(await (await fetch(`${base}/api/health`, { method: 'POST' })).text()).toBe('not the site');
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const answer = await fetch(`${base}${path}`);
      expect(await answer.text(), path).not.toContain('outside');
    }
  });

  it('is absent when the app is not built', async () => {
    expect(await loadStaticSite(join(dir, 'nothing-here'), { authorityOrigin: null })).toBeNull();
  });
});
