import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip, withoutTimes } from '../adapters/zip/readZip';
import { ApiHarness } from '../support/apiHarness';
import { CHROMIUM, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser';
import { diffSnapshots, snapshotFolder } from '../support/folderSnapshot';
import type { GitRepo } from '../support/gitRepo';
import { checkPage, downloadedBy } from './pageChecks';
import { ensureWebAppBuilt } from './webApp';

const REPOSITORY = 'acme/ops';
const HAND_EDIT = 'Write-Host "edited by hand on the server"\n';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Operating the service from the browser, against the local host (development identity, in-process
 * queue, the GitHub peer): a slow sync watched on the History page until it finishes, its backup of
 * hand edits downloaded; a sync dead-lettered by a revoked token, replayed from the Admin page and
 * shown as a success; readiness, backups and the scope's zip on the Admin page.
 */
describe.skipIf(!chromiumAvailable())(`history and admin pages in ${CHROMIUM}`, { timeout: 90_000 }, () => {
  let api: ApiHarness;
  let repo: GitRepo;
  let browser: TestBrowser;
  let page: Page;
  const global = () => join(api.workspaceRoot, 'global');
  const nav = (name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name });
  const newestRun = () => page.locator('tbody tr[data-run]').first();

  beforeAll(async () => {
    ensureWebAppBuilt();
    api = await ApiHarness.start({ AUTH_MODE: 'development' });
    repo = await api.repo(REPOSITORY);
    await repo.write('deploy/install.ps1', 'Write-Host "from GitHub"\n');
    await repo.write('tools/report.py', 'print("report")\n');
    await repo.commit('first');
    // Edited by hand before the scope is connected: the first sync replaces it, after a backup.
    await mkdir(join(global(), 'deploy'), { recursive: true });
    await writeFile(join(global(), 'deploy/install.ps1'), HAND_EDIT);
    browser = await launchBrowser();
    page = browser.page;
    // A locator that never shows fails with its own message before the test's time runs out.
    page.setDefaultTimeout(20_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('follows a slow first sync on the History page until it succeeds, without a reload, and links to its backup', async () => {
    await page.goto(`${api.url}/connection?scope=GLOBAL`);
    await page.getByLabel('Repository', { exact: true }).fill(REPOSITORY);
    await page.getByLabel('GitHub token', { exact: true }).fill(api.githubToken);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview of the first sync' });
    await preview.waitFor();
    expect(await preview.textContent()).toContain('A backup (zip)');
    // From here every tree read takes 15 s: long enough to watch the sync run even when a busy
    // machine takes seconds to reach the History page.
    api.peer.injectFault({ kind: 'delay', ms: 15_000, times: 100, match: /\/git\/trees\// });
    await checkPage(browser, 'connect-preview-backup');
    await page.getByRole('button', { name: 'Connect and replace files' }).click();
    await page.getByRole('heading', { name: `Connected to ${REPOSITORY}` }).waitFor();

    await nav('Sync history').click();
    await page.evaluate('window.__sameDocument = true');
    await newestRun().locator('.badge-running').waitFor();
    await page.getByRole('status').filter({ hasText: 'a sync is running' }).waitFor();
    await checkPage(browser, 'history-running');
    api.peer.clearFaults();

    await newestRun().locator('.badge-succeeded').waitFor({ timeout: 40_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await page.getByText('a sync is running').count()).toBe(0);
    await checkPage(browser, 'history-succeeded');

    const backup = await downloadedBy(page, () => newestRun().getByRole('button', { name: 'Backup' }).click());
    expect(backup.fileName).toMatch(/\.zip$/);
    const entries = await readZip(backup.bytes);
    expect(entries.get('deploy/install.ps1')).toMatchObject({ kind: 'file', sha256: sha256(HAND_EDIT) });
  });

  it('shows a sync dead-lettered by a revoked token on the Admin page, replays it, and History shows the replay succeeded', async () => {
    api.peer.revokeToken(api.githubToken);
    try {
      await nav('GitHub connection').click();
      const queued = page.waitForResponse(
        (response) => response.url().endsWith('/sync') && response.request().method() === 'POST',
      );
      await page.getByRole('button', { name: 'Sync now' }).click();
      expect((await queued).status()).toBe(202);
      await api.idle();
    } finally {
      api.peer.addToken(api.githubToken);
    }
    await repo.write('tools/new.py', 'print("new")\n');
    const head = await repo.commit('second');

    await nav('Admin').click();
    const deadLetters = page.getByRole('region', { name: /Dead-lettered syncs/ });
    await deadLetters.getByRole('cell', { name: 'Unauthorized', exact: true }).waitFor();
    expect(await deadLetters.getByRole('heading').textContent()).toContain('(1)');
    await checkPage(browser, 'admin-dead-letter');
    await deadLetters.getByRole('checkbox', { name: /^Select GLOBAL/ }).check();
    await deadLetters.getByRole('button', { name: 'Replay selected (1)' }).click();
    await deadLetters.getByText('Replayed 1').waitFor();
    await deadLetters.getByText('No dead letters').waitFor();
    await api.idle();

    await nav('Sync history').click();
    await expect.poll(() => newestRun().locator('td').nth(2).textContent()).toBe('replay');
    await newestRun().locator('.badge-succeeded').waitFor();
    expect(await newestRun().locator('code').getAttribute('title')).toBe(head);
    // The run that failed says why, and what became of it, without opening its details.
    expect(await page.locator('tbody tr[data-run]').nth(1).locator('.run-outcome').textContent()).toBe(
      'Unauthorized · dead-lettered',
    );
    await checkPage(browser, 'history-after-replay');
  });

  it('shows readiness of every dependency, lists the backup for download, and zips the scope as it is on disk', async () => {
    await nav('Admin').click();
    const readiness = page.getByRole('region', { name: /Readiness/ });
    await readiness.getByRole('table').waitFor();
    const statuses = await readiness.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['ok']));
    expect(await readiness.getByRole('heading').textContent()).toContain('ready');

    const backups = page.getByRole('region', { name: 'Backups of GLOBAL' });
    const download = backups.getByRole('button', { name: /^Download backup / });
    await download.waitFor();
    expect(await download.count()).toBe(1);
    await checkPage(browser, 'admin');
    const backup = await downloadedBy(page, () => download.click());
    expect((await readZip(backup.bytes)).get('deploy/install.ps1')).toMatchObject({ sha256: sha256(HAND_EDIT) });

    const zip = await downloadedBy(page, () => page.getByRole('button', { name: 'Zip of GLOBAL' }).click());
    expect(zip.fileName).toMatch(/\.zip$/);
    expect(diffSnapshots(withoutTimes(await readZip(zip.bytes)), await snapshotFolder(global()))).toEqual([]);
  });

  it('made no request off loopback and raised no page error', () => {
    expect(browser.offLoopback).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
