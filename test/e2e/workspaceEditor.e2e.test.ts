import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';
import { CHROMIUM, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser';
import { ensureWebAppBuilt } from './webApp';

const REPOSITORY = 'acme/scripts';
const FILES: Record<string, string> = {
  'deploy/install.ps1': 'Write-Host "install"\n',
  'tools/report.py': 'print("report")\n',
  'README.md': '# scripts\n',
};

/**
 * The web app in Debian's Chromium against the real local host (development identity, Azurite, the
 * GitHub peer): connect through the form, read-only while connected, disconnect, edit and save, and
 * a conflict resolved by overwriting. Every page passes axe-core; nothing leaves loopback.
 */
describe.skipIf(!chromiumAvailable())(`web app in ${CHROMIUM}`, () => {
  let api: ApiHarness;
  let browser: TestBrowser;
  let page: Page;
  const onDisk = (path: string) => readFile(join(api.workspaceRoot, 'global', path), 'utf8');

  async function checkPage(name: string): Promise<void> {
    await browser.screenshot(name);
    expect(await browser.accessibilityViolations(), `axe on ${name}`).toEqual([]);
  }

  async function fill(label: string, value: string): Promise<void> {
    await page.getByLabel(label, { exact: true }).fill(value);
  }

  async function openFile(name: string, folder?: string): Promise<void> {
    if (folder) {
      const row = page.getByRole('treeitem', { name: folder, exact: true });
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    await page.getByRole('treeitem', { name, exact: true }).click();
    await page.locator('.monaco-editor').first().waitFor();
  }

  /** Monaco takes keys through its edit context once its text area is clicked. */
  async function focusEditor(): Promise<void> {
    await page.locator('.editor-frame .monaco-editor .view-lines').first().click();
  }

  beforeAll(async () => {
    ensureWebAppBuilt();
    api = await ApiHarness.start({ AUTH_MODE: 'development' });
    const repo = await api.repo(REPOSITORY);
    for (const [path, content] of Object.entries(FILES)) await repo.write(path, content);
    await repo.commit('first');
    browser = await launchBrowser();
    page = browser.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('shows the empty workspace of the development identity', async () => {
    await page.goto(`${api.url}/`);
    await page.getByRole('heading', { name: 'Workspace GLOBAL' }).waitFor({ state: 'attached' });
    await page.getByText('No files yet').waitFor();
    expect(page.url()).toBe(`${api.url}/workspace?scope=GLOBAL`);
    await checkPage('workspace-empty');
  });

  it('places a refused token next to the token field', async () => {
    await page.getByRole('link', { name: 'GitHub connection' }).click();
    await fill('Repository', REPOSITORY);
    await fill('GitHub token', 'ghp_not_a_token_github_knows');
    await page.getByRole('button', { name: 'Preview' }).click();
    const error = page.locator('#connect-token-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('TokenRejected');
    expect(await page.getByLabel('GitHub token', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await checkPage('connect-token-rejected');
  });

  it('connects through the form after a preview, then shows the files read-only', async () => {
    await fill('GitHub token', api.githubToken);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview of the first sync' });
    await preview.waitFor();
    expect(await preview.textContent()).toContain(`${Object.keys(FILES).length} new files`);
    await checkPage('connect-preview');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('heading', { name: `Connected to ${REPOSITORY}` }).waitFor();
    await checkPage('connection-connected');
    await api.idle();
    expect(await onDisk('deploy/install.ps1')).toBe(FILES['deploy/install.ps1']);

    await page.getByRole('link', { name: 'Workspace' }).click();
    await page.getByRole('note', { name: 'Read-only: managed by GitHub' }).waitFor();
    await page.getByRole('treeitem', { name: 'README.md' }).waitFor();
    expect(await page.getByRole('button', { name: 'New file' }).isDisabled()).toBe(true);
    await openFile('install.ps1', 'deploy');
    // Typing into a read-only editor changes nothing.
    await focusEditor();
    await page.keyboard.type('x');
    expect(await page.locator('.dirty-dot').count()).toBe(0);
    // The editor says why instead, in a message that fades in (axe waits for fades to end).
    const message = page.locator('.monaco-editor-overlaymessage');
    await message.waitFor();
    expect(await message.textContent()).toContain('This file cannot be changed here');
    await checkPage('workspace-read-only');
  });

  it('disconnects, then an edit saved with Ctrl-S is on disk byte for byte', async () => {
    await page.getByRole('link', { name: 'GitHub connection' }).click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('heading', { name: 'Connect GLOBAL to GitHub' }).waitFor();

    await page.getByRole('link', { name: 'Workspace' }).click();
    await page.getByRole('treeitem', { name: 'tools' }).waitFor();
    // The tree and the scope's status load side by side: the tools stay disabled ("Loading…")
    // until the status says the scope is no longer managed by GitHub.
    await page.getByRole('button', { name: 'New file', disabled: false }).waitFor();
    expect(await page.getByRole('note', { name: 'Read-only: managed by GitHub' }).count()).toBe(0);
    await openFile('report.py', 'tools');
    await focusEditor();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('print("edited")\n');
    await page.locator('.dirty-dot').first().waitFor();
    await checkPage('workspace-unsaved');
    await page.keyboard.press('Control+s');
    await page.getByText('Saved report.py').waitFor();
    expect(await page.locator('.dirty-dot').count()).toBe(0);
    expect(await onDisk('tools/report.py')).toBe('print("report")\nprint("edited")\n');
  });

  it('shows a conflict when the file changed behind the editor, and overwrites on request', async () => {
    await focusEditor();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# mine\n');
    await writeFile(join(api.workspaceRoot, 'global', 'tools/report.py'), 'print("theirs")\n');
    await page.keyboard.press('Control+s');
    const dialog = page.getByRole('dialog', { name: 'tools/report.py changed on the server' });
    await dialog.waitFor();
    await dialog.locator('.monaco-diff-editor').waitFor();
    await checkPage('workspace-conflict');
    // A narrow window turns the diff inline, which makes Monaco rebuild its inner editors' options:
    // both sides must keep their accessible names through that.
    const wide = page.viewportSize();
    await page.setViewportSize({ width: 700, height: 800 });
    await dialog.locator('.monaco-diff-editor.side-by-side').waitFor({ state: 'detached' });
    await checkPage('workspace-conflict-narrow');
    if (wide) await page.setViewportSize(wide);
    await dialog.getByRole('button', { name: 'Overwrite with mine' }).click();
    await page.getByText('Saved report.py over the server version').waitFor();
    expect(await onDisk('tools/report.py')).toBe('print("report")\nprint("edited")\n# mine\n');
  });

  it('made no request off loopback and raised no page error', () => {
    expect(browser.offLoopback).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
