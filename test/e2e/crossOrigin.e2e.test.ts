import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';
import { CHROMIUM, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser';
import { type StaticWebApp, startStaticWebApp } from '../support/staticWebApp';
import { downloadedBy } from './pageChecks';
import { CLIENT_DIR } from './webApp';

/**
 * The Azure layout on loopback: the web app built with VITE_API_BASE_URL and served by a Static Web
 * App stand-in (its staticwebapp.config.json headers, CSP included) on one origin, the API on
 * another with that origin in CORS_ALLOWED_ORIGINS. Every call crosses origins: preflights, the
 * scope header, If-None-Match on create, and a download's file name from Content-Disposition.
 */
describe.skipIf(!chromiumAvailable())(
  `the web app on its own origin, the API on another, in ${CHROMIUM}`,
  { timeout: 60_000 },
  () => {
    let site: StaticWebApp;
    let api: ApiHarness;
    let browser: TestBrowser;
    let page: Page;
    let outDir: string;
    const requests: URL[] = [];

    beforeAll(async () => {
      site = await startStaticWebApp();
      api = await ApiHarness.start({ AUTH_MODE: 'development', CORS_ALLOWED_ORIGINS: site.origin });
      // A build of its own (client/dist stays the local host's): the API's address is fixed at build time.
      outDir = await mkdtemp(join(tmpdir(), 'wsync-swa-'));
      await promisify(execFile)('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
        cwd: CLIENT_DIR,
        env: { ...process.env, VITE_API_BASE_URL: api.url },
      });
      await site.serve(outDir);
      browser = await launchBrowser();
      page = browser.page;
      page.setDefaultTimeout(20_000);
      page.on('request', (request) => requests.push(new URL(request.url())));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await api?.stop();
      await site?.stop();
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it("serves a Content-Security-Policy that lets the page reach the API's origin, and nothing else new", () => {
      const connect = site.headers['content-security-policy']!.split(';')
        .map((part) => part.trim())
        .find((part) => part.startsWith('connect-src '));
      expect(connect).toBe(`connect-src 'self' https://login.microsoftonline.com ${api.url}`);
    });

    it('opens the workspace with every API call sent to the API origin', async () => {
      await page.goto(`${site.origin}/`);
      await page.getByText('No files yet').waitFor();
      const apiCalls = requests.filter((url) => url.pathname.startsWith('/api/'));
      expect(apiCalls.length).toBeGreaterThan(0);
      expect(new Set(apiCalls.map((url) => url.origin))).toEqual(new Set([api.url]));
    });

    it('creates a file and downloads it under its own name across origins', async () => {
      await page.getByRole('button', { name: 'New file' }).click();
      await page.getByLabel('Name (in /)').fill('cross.ps1');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('treeitem', { name: 'cross.ps1' }).waitFor();
      expect(await readFile(join(api.workspaceRoot, 'global', 'cross.ps1'), 'utf8')).toBe('');
      const file = await downloadedBy(page, () =>
        page.getByRole('toolbar', { name: 'File actions' }).getByRole('button', { name: 'Download' }).click(),
      );
      expect(file.fileName).toBe('cross.ps1');
    });

    it('made no request off loopback and raised no page error', () => {
      expect(browser.offLoopback).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
    });
  },
);
