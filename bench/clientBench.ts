import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { CLIENT_DIR, ensureWebAppBuilt } from '../test/e2e/webApp';
import { SHELL_BUDGET_GZIP_BYTES, scriptsBeforeFirstImport } from '../test/e2e/webAppBundle';
import { CHROMIUM, chromiumAvailable, launchBrowser } from '../test/support/browser';
import { startServiceProcess, stopServiceProcess } from '../test/support/serviceProcess';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const OPENS = Number(process.env.BENCH_OPENS ?? 19);
const SAVES = Number(process.env.BENCH_SAVES ?? 200);
const BIG_TREE_FILES = 10_000;
const SMALL_FILES = 40;

interface Stats {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const row = (name: string, s: Stats, extra = '') =>
  `  ${name.padEnd(52)} p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}${extra}`;

/** A small scope to edit in (GLOBAL) and an organisation whose root holds 10,000 files. */
async function seedWorkspace(root: string): Promise<void> {
  for (let i = 0; i < SMALL_FILES; i++) {
    const folder = join(root, 'global', `folder-${i % 4}`);
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, `script-${i}.ps1`),
      `# script ${i}\nWrite-Host "marker-${i}"\n${'Get-Item .\n'.repeat(40)}`,
    );
  }
  await writeFile(join(root, 'global', 'edited.ps1'), '# saved by the benchmark\n');
  const big = join(root, 'orgs', 'bigtree');
  await mkdir(big, { recursive: true });
  for (let i = 0; i < BIG_TREE_FILES; i += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, j) =>
        writeFile(join(big, `file-${String(i + j).padStart(5, '0')}.ps1`), `# ${i + j}\n`),
      ),
    );
  }
}

/**
 * Measurements taken inside the page (performance.now(), animation frames), installed in every
 * document through the DevTools protocol (the app's CSP does not govern it). Plain JavaScript: the
 * project's TypeScript has no DOM types.
 */
const PAGE_PROBES = `
window.__bench = {
  nextFrame: () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now()))),
  // Click on a tree row until a frame shows the file's text in Monaco.
  openToText: (name, marker) => new Promise((resolve, reject) => {
    const row = [...document.querySelectorAll('[role="treeitem"]')].find((element) => element.querySelector('.tree-name')?.textContent === name);
    if (!row) return reject(new Error('no row ' + name));
    const start = performance.now();
    row.click();
    const check = () => {
      const lines = document.querySelector('.editor-frame .monaco-editor .view-lines');
      if (lines && lines.textContent.includes(marker)) resolve(performance.now() - start);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }),
  // From the next Ctrl-S key event (its own time stamp) until a frame shows no unsaved marker.
  armSave: () => {
    window.__saved = new Promise((resolve) => {
      const onKey = (event) => {
        if (!(event.ctrlKey && event.key.toLowerCase() === 's')) return;
        window.removeEventListener('keydown', onKey, true);
        const pressed = event.timeStamp;
        const check = () => (document.querySelector('.dirty-dot') ? requestAnimationFrame(check) : resolve(performance.now() - pressed));
        requestAnimationFrame(check);
      };
      window.addEventListener('keydown', onKey, true);
    });
  },
  // Scroll the tree from top to bottom in \`frames\` steps, one per animation frame.
  scrollTree: (frames) => new Promise((resolve) => {
    const tree = document.querySelector('[role="tree"]');
    const step = (tree.scrollHeight - tree.clientHeight) / frames;
    const intervals = [];
    let rowsInDom = 0;
    let last = performance.now();
    let frame = 0;
    const rows = () => [...tree.querySelectorAll('[role="treeitem"]')];
    const tick = (now) => {
      intervals.push(now - last);
      last = now;
      rowsInDom = Math.max(rowsInDom, rows().length);
      if (frame++ >= frames) return resolve({ intervals: intervals.slice(1), rowsInDom, reachedEnd: rows().some((row) => row.textContent.includes('file-09999')) });
      tree.scrollTop = Math.round(step * frame);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }),
};
`;

/** Milliseconds from navigation start until a frame is painted with the first tree row on screen. */
async function navigationToTree(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[role="treeitem"]', { state: 'visible' });
  return (await page.evaluate('__bench.nextFrame()')) as number;
}

async function openToText(page: Page, name: string, marker: string): Promise<number> {
  return (await page.evaluate(`__bench.openToText(${JSON.stringify(name)}, ${JSON.stringify(marker)})`)) as number;
}

/** An edit, then Ctrl-S until the page shows it saved. */
async function saveToConfirmation(page: Page): Promise<number> {
  await page.keyboard.type('x');
  await page.waitForSelector('.dirty-dot');
  await page.evaluate('__bench.armSave()');
  await page.keyboard.press('Control+s');
  return (await page.evaluate('window.__saved')) as number;
}

function scrollTree(
  page: Page,
  frames: number,
): Promise<{ intervals: number[]; rowsInDom: number; reachedEnd: boolean }> {
  return page.evaluate(`__bench.scrollTree(${frames})`) as Promise<{
    intervals: number[];
    rowsInDom: number;
    reachedEnd: boolean;
  }>;
}

/**
 * Issue #9's benchmark, in Debian's Chromium against `npm start`'s process (development identity,
 * Azure Tables on Azurite): navigation to an interactive tree, open a file to text visible, Ctrl-S to
 * confirmation, a 10,000-file folder's first paint and scroll frames, and the JavaScript shipped
 * before the editor is opened.
 */
export async function clientBench(): Promise<void> {
  if (!chromiumAvailable()) {
    console.log(`\nclient benchmark skipped: no Chromium at ${CHROMIUM}`);
    return;
  }
  ensureWebAppBuilt();
  const dist = join(CLIENT_DIR, 'dist');
  const work = await mkdtemp(join(tmpdir(), 'wsync-client-bench-'));
  const azurite = await EmbeddedAzurite.start({});
  const load = loadavg();
  try {
    await seedWorkspace(join(work, 'workspace'));
    const service = await startServiceProcess({
      PORT: '0',
      DATA_DIR: join(work, 'data'),
      WORKSPACE_ROOT: join(work, 'workspace'),
      TABLES_CONNECTION_STRING: azurite.connectionString,
      LOG_LEVEL: 'info',
      RECONCILE_ON_START: 'false',
    });
    // Requests are watched, not routed through the driver (which would add a round trip to each).
    const browser = await launchBrowser({ blockOffLoopback: false });
    const page = browser.page;
    page.setDefaultTimeout(60_000);
    await page.addInitScript(PAGE_PROBES);
    const scripts = new Set<string>();
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.add(new URL(request.url()).pathname.replace(/^\/assets\//, ''));
    });
    try {
      const workspace = `${service.url}/workspace?scope=GLOBAL`;
      page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
      const firstLoad = await navigationToTree(page, workspace);
      const loadedBeforeEditor = [...scripts];
      const reloads: number[] = [];
      for (let i = 0; i < LOADS; i++) reloads.push(await navigationToTree(page, workspace));

      // Two folders open: 20 distinct files, every row within the rendered window of the tree.
      for (const [folder, first] of [
        ['folder-0', 'script-0.ps1'],
        ['folder-1', 'script-1.ps1'],
      ] as const) {
        await page.getByRole('treeitem', { name: folder, exact: true }).click();
        await page.getByRole('treeitem', { name: first, exact: true }).waitFor();
      }
      const firstOpen = await openToText(page, 'script-0.ps1', 'marker-0');
      const monacoLoaded = [...scripts].some((file) => /^editor\.api-/.test(file));
      const opens: number[] = [];
      const others = Array.from({ length: SMALL_FILES }, (_, index) => index).filter(
        (index) => index % 4 <= 1 && index !== 0,
      );
      for (let i = 0; i < OPENS; i++) {
        const index = others[i % others.length]!;
        opens.push(await openToText(page, `script-${index}.ps1`, `marker-${index}`));
      }

      await page.getByRole('treeitem', { name: 'edited.ps1', exact: true }).click();
      await page.locator('.editor-frame .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+End');
      const saves: number[] = [];
      for (let i = 0; i < SAVES; i++) saves.push(await saveToConfirmation(page));

      const bigTree = `${service.url}/workspace?scope=bigtree`;
      const bigFirstPaint: number[] = [];
      for (let i = 0; i < 3; i++) bigFirstPaint.push(await navigationToTree(page, bigTree));
      const scroll = await scrollTree(page, 300);

      const shell = scriptsBeforeFirstImport(dist);
      const shellGzip = shell.reduce((sum, script) => sum + script.gzipBytes, 0);
      const shellRaw = shell.reduce((sum, script) => sum + script.bytes, 0);

      console.log(
        `\nweb app benchmark (Chromium ${browser.context.browser()?.version() ?? ''}, headless, software rendering; load average before: ${load.map((value) => value.toFixed(2)).join(' ')})`,
      );
      console.log(
        `  navigation to interactive tree (${SMALL_FILES + 1}-file scope)        first load ${ms(firstLoad)}; ${LOADS} reloads p50 ${ms(stats(reloads).p50)}, max ${ms(stats(reloads).max)}`,
      );
      console.log(
        `  open a file to text visible                          first (loads Monaco) ${ms(firstOpen)}; then ${OPENS} files p50 ${ms(stats(opens).p50)}, p99 ${ms(stats(opens).p99)}`,
      );
      console.log(row(`Ctrl-S to confirmation (${SAVES} saves)`, stats(saves)));
      console.log(`  10,000-file folder: navigation to first rows painted  ${bigFirstPaint.map(ms).join(', ')}`);
      console.log(
        row(
          `10,000-file folder: scroll to the end in 300 frames`,
          stats(scroll.intervals),
          `; ${scroll.rowsInDom} rows in the DOM at most, end reached: ${scroll.reachedEnd}`,
        ),
      );
      console.log(
        `  JavaScript before the editor opens: ${shell.map((script) => script.file).join(', ')}: ${(shellRaw / 1024).toFixed(0)} KiB, gzip ${(shellGzip / 1024).toFixed(1)} KiB (budget ${SHELL_BUDGET_GZIP_BYTES / 1024} KiB)`,
      );
      console.log(`  scripts the browser fetched before a file was opened: ${loadedBeforeEditor.join(', ')}`);
      console.log(
        `  Monaco (editor.api chunk) fetched only on the first open: ${!loadedBeforeEditor.some((file) => /^editor\.api-/.test(file)) && monacoLoaded}`,
      );
      console.log(
        `  requests that left loopback: ${browser.offLoopback.length === 0 ? 'none' : browser.offLoopback.join(', ')}`,
      );
    } finally {
      await browser.close();
      await stopServiceProcess(service.child);
    }
  } finally {
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}
