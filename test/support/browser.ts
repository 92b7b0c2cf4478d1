import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (installed by `.ci/run` when absent); never a downloaded browser build. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const LAUNCH_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Compiled, this file sits in dist/test/support; run by vitest, in test/support.
const projectRoot = resolve(__dirname, '../..').replace(/[\\/]dist$/, '');
const SCREENSHOTS = join(projectRoot, 'test-results', 'screenshots');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[] }>;
}

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request that tried to leave loopback (blocked); a test asserts it stays empty. */
  readonly offLoopback: string[];
  /** Uncaught page errors and console errors, for assertions and diagnosis. */
  readonly pageErrors: string[];
  screenshot(name: string): Promise<string>;
  /** axe-core on the current page: the serious and critical violations, described. */
  accessibilityViolations(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Whether the browser tests can run. A developer without Chromium sees them skipped with the path in
 * their name; CI (which installs Debian's chromium) must never pass by skipping them, so there a
 * missing browser fails the run.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)`);
  return false;
}

function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** The base64 SHA-256 of a certificate's public key: how Chromium is told to trust that one certificate. */
function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Chromium with a fresh profile, allowed loopback only: every request is routed, and one that would
 * leave 127.0.0.1 (a CDN, telemetry) is aborted and recorded.
 */
export interface LaunchOptions {
  readonly acceptDownloads?: boolean;
  /** PEM of a certificate to trust (an HTTPS peer on loopback), and only that one. */
  readonly trustCertificate?: string;
  /**
   * false: requests off loopback are recorded as they leave but not blocked, and nothing is routed
   * through the driver, which adds a round trip to every request (for benchmarks). Default true.
   */
  readonly blockOffLoopback?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'wsync-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: options.trustCertificate
      ? [...LAUNCH_FLAGS, `--ignore-certificate-errors-spki-list=${spkiHash(options.trustCertificate)}`]
      : LAUNCH_FLAGS,
    viewport: { width: 1400, height: 860 },
    acceptDownloads: options.acceptDownloads ?? true,
  });
  const offLoopback: string[] = [];
  const pageErrors: string[] = [];
  if (options.blockOffLoopback === false) {
    context.on('request', (request) => {
      if (!isLoopback(request.url())) offLoopback.push(request.url());
    });
  } else {
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLoopback(url)) await route.continue();
      else {
        offLoopback.push(url);
        await route.abort('blockedbyclient');
      }
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  return {
    context,
    page,
    offLoopback,
    pageErrors,
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async accessibilityViolations() {
      // Fades first: axe measures a half-transparent element's contrast as it is at that instant.
      // Endless animations (a spinner) are left running.
      await page.evaluate(
        `Promise.all(document.getAnimations()
          .filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
          .map((animation) => animation.finished.catch(() => undefined)))`,
      );
      // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
      if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(`${axeSource};undefined`);
      const violations = (await page.evaluate(
        'axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)',
      )) as AxeViolation[];
      return violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map(
          (violation) =>
            `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')})`,
        );
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
