import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';
import { CHROMIUM, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser';
import { checkPage, downloadedBy } from './pageChecks';
import { ensureWebAppBuilt } from './webApp';

/** Bytes no UTF-8 decoder accepts (NUL bytes, a lone 0xFF): what a compiled tool or an image looks like. */
const BINARY = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0x00, 0x01]), randomBytes(600)]);

/**
 * File operations in Debian's Chromium against the local host (development identity): new folder,
 * new file, rename, upload (and replacing on a second upload), a binary file shown as such,
 * single-file download, and delete only after confirmation. What the page says is checked against
 * the workspace folder on disk.
 */
describe.skipIf(!chromiumAvailable())(`file operations in ${CHROMIUM}`, () => {
  let api: ApiHarness;
  let browser: TestBrowser;
  let page: Page;
  const onDisk = (path: string) => join(api.workspaceRoot, 'global', path);
  const exists = (path: string) =>
    stat(onDisk(path)).then(
      () => true,
      () => false,
    );
  const row = (name: string) => page.getByRole('treeitem', { name, exact: true });
  const dialog = (name: string) => page.getByRole('dialog', { name });

  async function promptFor(button: string, title: string, value: string, submit: string): Promise<void> {
    await page.getByRole('button', { name: button, exact: true }).click();
    const prompt = dialog(title);
    await prompt.waitFor();
    await prompt.getByRole('textbox').fill(value);
    await prompt.getByRole('button', { name: submit }).click();
    await prompt.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    ensureWebAppBuilt();
    api = await ApiHarness.start({ AUTH_MODE: 'development' });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(`${api.url}/workspace?scope=GLOBAL`);
    await page.getByText('No files yet').waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('creates a folder, then a file inside the selected folder, opened in the editor', async () => {
    await page.getByRole('button', { name: 'New folder' }).click();
    await dialog('New folder').waitFor();
    await checkPage(browser, 'files-new-folder-dialog');
    await dialog('New folder').getByRole('textbox').fill('scripts');
    await dialog('New folder').getByRole('button', { name: 'Create' }).click();
    await row('scripts').waitFor();
    expect((await stat(onDisk('scripts'))).isDirectory()).toBe(true);

    await row('scripts').click(); // selects it: new entries go inside
    await promptFor('New file', 'New file', 'hello.ps1', 'Create');
    await row('hello.ps1').waitFor();
    await page.locator('.editor-frame .monaco-editor').waitFor();
    expect(await readFile(onDisk('scripts/hello.ps1'), 'utf8')).toBe('');
  });

  it('renames the selected file through the move dialog', async () => {
    await row('hello.ps1').click();
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    const move = dialog('Rename or move hello.ps1');
    await expect.poll(() => move.getByRole('textbox').inputValue()).toBe('scripts/hello.ps1');
    await move.getByRole('textbox').fill('scripts/greet.ps1');
    await move.getByRole('button', { name: 'Move' }).click();
    await row('greet.ps1').waitFor();
    expect(await row('hello.ps1').count()).toBe(0);
    expect(await exists('scripts/hello.ps1')).toBe(false);
    expect(await exists('scripts/greet.ps1')).toBe(true);
    // The open tab follows the file.
    expect(
      await page
        .getByRole('group', { name: 'Open files' })
        .getByRole('button', { name: 'greet.ps1', exact: true })
        .count(),
    ).toBe(1);
  });

  it('uploads a file into the selected folder byte for byte, and asks before replacing it', async () => {
    // greet.ps1 is selected: uploads go into its folder.
    const picker = page.getByLabel('File to upload');
    await picker.setInputFiles({ name: 'tool.bin', mimeType: 'application/octet-stream', buffer: BINARY });
    await row('tool.bin').waitFor();
    expect(Buffer.compare(await readFile(onDisk('scripts/tool.bin')), BINARY)).toBe(0);

    const replacement = Buffer.concat([BINARY, Buffer.from([0x00, 0x02])]);
    await picker.setInputFiles({ name: 'tool.bin', mimeType: 'application/octet-stream', buffer: replacement });
    const replace = dialog('Replace tool.bin?');
    await replace.waitFor();
    await checkPage(browser, 'files-replace-upload');
    await replace.getByRole('button', { name: 'Replace' }).click();
    await expect.poll(async () => Buffer.compare(await readFile(onDisk('scripts/tool.bin')), replacement)).toBe(0);
  });

  it('shows a binary file as binary, not as text, and downloads it unchanged', async () => {
    await row('tool.bin').click();
    await page.getByRole('heading', { name: 'tool.bin is a binary file' }).waitFor();
    expect(await page.locator('.editor-frame .monaco-editor').count()).toBe(0);
    await checkPage(browser, 'files-binary');
    const fromNote = await downloadedBy(page, () =>
      page.locator('.file-note').getByRole('button', { name: 'Download' }).click(),
    );
    expect(fromNote.fileName).toBe('tool.bin');
    expect(Buffer.compare(fromNote.bytes, await readFile(onDisk('scripts/tool.bin')))).toBe(0);
  });

  it('downloads the selected text file from the toolbar', async () => {
    await row('greet.ps1').click();
    await page.locator('.editor-frame .view-lines').first().click();
    await page.keyboard.type('Write-Host "hi"');
    await page.keyboard.press('Control+s');
    await page.getByText('Saved greet.ps1').waitFor();
    const file = await downloadedBy(page, () =>
      page.getByRole('toolbar', { name: 'File actions' }).getByRole('button', { name: 'Download' }).click(),
    );
    expect(file.fileName).toBe('greet.ps1');
    expect(file.bytes.toString('utf8')).toBe('Write-Host "hi"');
  });

  it('deletes a file only once the dialog is confirmed', async () => {
    await row('greet.ps1').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = dialog('Delete greet.ps1?');
    await confirm.waitFor();
    await checkPage(browser, 'files-delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await exists('scripts/greet.ps1')).toBe(true);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted scripts/greet.ps1').waitFor();
    expect(await row('greet.ps1').count()).toBe(0);
    expect(await exists('scripts/greet.ps1')).toBe(false);
    // Its tab is closed with it.
    expect(
      await page
        .getByRole('group', { name: 'Open files' })
        .getByRole('button', { name: 'greet.ps1', exact: true })
        .count(),
    ).toBe(0);
  });

  it('deletes a folder with everything in it after confirmation', async () => {
    await row('scripts').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = dialog('Delete scripts?');
    expect(await confirm.textContent()).toContain('The folder and everything in it');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No files yet').waitFor();
    expect(await exists('scripts')).toBe(false);
    await checkPage(browser, 'files-empty-again');
  });

  it('keeps a folder of 2,000 files virtualised: a few dozen rows in the page, the last one reachable by scrolling', async () => {
    await mkdir(onDisk('many'), { recursive: true });
    for (let i = 0; i < 2_000; i += 250)
      await Promise.all(
        Array.from({ length: 250 }, (_, j) =>
          writeFile(onDisk(`many/file-${String(i + j).padStart(4, '0')}.txt`), `${i + j}\n`),
        ),
      );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row('many').click();
    await row('file-0000.txt').waitFor();
    expect(await page.getByRole('treeitem').count()).toBeLessThan(100);
    await page.getByRole('tree').evaluate((tree) => (tree.scrollTop = tree.scrollHeight));
    await row('file-1999.txt').waitFor();
    expect(await page.getByRole('treeitem').count()).toBeLessThan(100);
  });

  it('made no request off loopback and raised no page error', () => {
    expect(browser.offLoopback).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
