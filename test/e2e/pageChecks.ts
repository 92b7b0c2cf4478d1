import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestBrowser } from '../support/browser';

/** A screenshot of the page as it is into test-results/screenshots, then axe-core: no serious or critical violation. */
export async function checkPage(browser: TestBrowser, name: string): Promise<void> {
  await browser.screenshot(name);
  expect(await browser.accessibilityViolations(), `axe on ${name}`).toEqual([]);
}

/** What the browser saved when `trigger` started a download: the file name it offered and the bytes. */
export async function downloadedBy(
  page: Page,
  trigger: () => Promise<void>,
): Promise<{ readonly fileName: string; readonly bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const path = await download.path();
  return { fileName: download.suggestedFilename(), bytes: await readFile(path) };
}
