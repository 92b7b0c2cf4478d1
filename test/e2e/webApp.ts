import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestBrowser } from '../support/browser';

const projectRoot = resolve(__dirname, '../..').replace(/[\\/]dist$/, '');
export const CLIENT_DIR = join(projectRoot, 'client');

function newestMtime(folder: string): number {
  let newest = 0;
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    const info = statSync(path);
    newest = Math.max(newest, info.isDirectory() ? newestMtime(path) : info.mtimeMs);
  }
  return newest;
}

/** Builds the web app when client/dist is missing or older than its sources (the e2e tests need it). */
export function ensureWebAppBuilt(): void {
  const index = join(CLIENT_DIR, 'dist', 'index.html');
  const sourcesChanged = !existsSync(index) || newestMtime(join(CLIENT_DIR, 'src')) > statSync(index).mtimeMs;
  if (sourcesChanged) execFileSync('npm', ['run', 'build', '--silent'], { cwd: CLIENT_DIR, stdio: 'inherit' });
}

/** A screenshot of the page as it is into test-results/screenshots, then axe-core: no serious or critical violation. */
export async function checkPage(browser: TestBrowser, name: string): Promise<void> {
  await browser.screenshot(name);
  expect(await browser.accessibilityViolations(), `axe on ${name}`).toEqual([]);
}

/** What the browser saved when `trigger` started a download: the file name it offered and the bytes. */
export async function downloadedBy(page: Page, trigger: () => Promise<void>): Promise<{ readonly fileName: string; readonly bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const path = await download.path();
  return { fileName: download.suggestedFilename(), bytes: await readFile(path) };
}
