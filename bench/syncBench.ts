import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { changedFiles } from './benchRepo';
import { startBenchStage } from './benchStage';
import { pinnedCommand, pinnedNote } from './pinnedCommand';
import { serviceNodeArgs } from './serviceNodeArgs';

export interface SyncFigures {
  /** The sync itself, in the process: from execute() to its result. */
  ms: number;
  /** CPU time of the sync, every thread of the process. */
  cpuMs?: number;
  /** Time the main thread's event loop was busy during the sync (includes time it waited for a core). */
  mainThreadMs?: number;
  /** From the process's start to the sync's start: node, module loading, wiring, seeding. */
  startupMs?: number;
  /** The whole process, from spawn to exit (start, module loading and wiring included). */
  processMs?: number;
  status?: string;
  counts?: { written: number; deleted: number; unchanged: number; bytesWritten: number };
  sourceRequests?: number;
  maxRssMB: number;
  error?: unknown;
}

/** Wall time of one run of `command`, in ms (its output discarded). */
export function timeCommand(command: string, args: string[], cwd?: string): number {
  const [pinned, pinnedArgs] = pinnedCommand(command, args);
  const started = process.hrtime.bigint();
  execFileSync(pinned, pinnedArgs, { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function ensureRsync(): void {
  if (spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log('rsync is missing: installing it from Debian packages');
  execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq rsync'], { stdio: 'inherit' });
}

/**
 * One sync of `scope` in a fresh process wired from `env`, with the production Node options plus
 * `extraNodeArgs`; its figures, peak RSS included.
 */
export function runSync(
  env: NodeJS.ProcessEnv,
  scope = 'GLOBAL',
  extraNodeArgs: readonly string[] = [],
): Promise<SyncFigures> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const nodeArgs = [...serviceNodeArgs(), ...extraNodeArgs];
    const [command, args] = pinnedCommand(process.execPath, [...nodeArgs, resolve(__dirname, 'syncOnce.js'), scope]);
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const processMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`sync process exited with ${code}`));
      // The figures are the line with maxRssMB; the service's log lines may come before or after it.
      const lines = out.trim().split('\n');
      const figures = lines.findLast((line) => line.startsWith('{"ms":'));
      if (process.env.BENCH_LOG_LEVEL) {
        for (const line of lines) if (line !== figures) console.log(line);
      }
      if (figures === undefined) return reject(new Error('sync process printed no figures'));
      resolvePromise({ ...(JSON.parse(figures) as SyncFigures), processMs });
    });
  });
}

/**
 * Two syncs of `scope` in one fresh process: a cold one, then, after `between` (which pushes a
 * change), a warm one, as a long-lived Functions instance runs it. The warm sync's figures.
 */
function runWarmSync(env: NodeJS.ProcessEnv, between: () => Promise<void>, scope = 'GLOBAL'): Promise<SyncFigures> {
  return new Promise((resolvePromise, reject) => {
    const syncOnce = resolve(__dirname, 'syncOnce.js');
    const [command, args] = pinnedCommand(process.execPath, [...serviceNodeArgs(), syncOnce, scope, 'warm']);
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let warm: SyncFigures | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let cut = out.indexOf('\n');
      while (cut >= 0) {
        const line = out.slice(0, cut);
        out = out.slice(cut + 1);
        if (line === '{"ready":true}') between().then(() => child.stdin.end('\n'), reject);
        if (line.startsWith('{"warm":')) warm = (JSON.parse(line) as { warm: SyncFigures }).warm;
        cut = out.indexOf('\n');
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sync process exited with ${code}`));
      if (warm === undefined) return reject(new Error('sync process printed no warm figures'));
      resolvePromise(warm);
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const ms = (values: readonly number[]): string =>
  `median ${median(values).toFixed(0)} ms (${values.map((value) => value.toFixed(0)).join(' / ')})`;
const cpu = (runs: readonly SyncFigures[]): string =>
  `median ${median(runs.map((figures) => figures.cpuMs ?? 0)).toFixed(0)} / ${median(runs.map((figures) => figures.mainThreadMs ?? 0)).toFixed(0)} ms`;

/**
 * Issue #2's and #10's benchmark: full and incremental sync beside `git clone --depth 1` and
 * `rsync -a --delete`, in one run. A first full sync downloads the archive while the peer makes it
 * (printed on its own); then BENCH_RUNS (default 3) full syncs, each into a fresh folder and table
 * set, get it from the peer's codeload cache and alternate with clones; then as many rounds of 10
 * changed files, each synced and then copied by rsync from one checkout to another. BENCH_FILES (default 10,000) sizes the repository.
 */
export async function syncBench(): Promise<void> {
  ensureRsync();
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const fileCount = Number(process.env.BENCH_FILES ?? 10_000);
  const { work, repo, peer, files, totalBytes, envFor, stop } = await startBenchStage('wsync-bench-', fileCount);
  try {
    // Run 0: the archive is made while it downloads, by the peer on our cores (GitHub's own, on Azure).
    const madeOnRequest = await runSync(envFor(0));
    const madeOnRequestClone = timeCommand('git', [
      'clone',
      '-q',
      '--depth',
      '1',
      '--no-local',
      `file://${repo.dir}`,
      join(work, 'clone-0'),
    ]);
    const fulls: SyncFigures[] = [];
    const fullHttp: number[] = [];
    const clones: number[] = [];
    const loads: string[] = [];
    for (let run = 1; run <= runs; run++) {
      peer.resetRequests();
      fulls.push(await runSync(envFor(run)));
      fullHttp.push(peer.requests.length);
      const cloneDir = join(work, `clone-${run}`);
      clones.push(timeCommand('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, cloneDir]));
      loads.push(load());
      if (run > 1) await rm(cloneDir, { recursive: true, force: true });
    }
    // Two checkouts for the incremental rsync reference: the first clone follows the branch.
    const checkout = join(work, 'clone-1');
    const copy = join(work, 'rsync-copy');
    const rsyncFull = timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]);

    const incrementals: SyncFigures[] = [];
    const incrementalHttp: number[] = [];
    const rsyncs: number[] = [];
    for (let round = 1; round <= runs; round++) {
      await repo.writeMany(changedFiles(files, 10, round), `bench: 10 changed files, round ${round}`);
      peer.resetRequests();
      incrementals.push(await runSync(envFor(runs)));
      incrementalHttp.push(peer.requests.length);
      execFileSync('git', ['-C', checkout, 'pull', '-q', '--ff-only'], { stdio: 'ignore' });
      rsyncs.push(timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]));
      loads.push(load());
    }

    // The same change synced by the second sync of a process (the first one syncs another change).
    const warms: SyncFigures[] = [];
    const warmRsyncs: number[] = [];
    for (let round = 1; round <= runs; round++) {
      const change = (seed: number) =>
        repo.writeMany(changedFiles(files, 10, seed), `bench: 10 changed files, warm ${seed}`);
      await change(runs + 2 * round - 1);
      const warm = await runWarmSync(envFor(runs), async () => {
        execFileSync('git', ['-C', checkout, 'pull', '-q', '--ff-only'], { stdio: 'ignore' });
        timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]); // untimed: the cold sync's change
        await change(runs + 2 * round);
      });
      warms.push(warm);
      execFileSync('git', ['-C', checkout, 'pull', '-q', '--ff-only'], { stdio: 'ignore' });
      warmRsyncs.push(timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]));
      loads.push(load());
    }

    const fullMs = fulls.map((figures) => figures.ms);
    const incrementalMs = incrementals.map((figures) => figures.ms);
    const last = (figures: SyncFigures[]): SyncFigures => figures[figures.length - 1]!;
    const rows: Array<[string, string]> = [
      ['repository', `${files.length} files, ${(totalBytes / 1e6).toFixed(1)} MB; ${runs} run(s) each`],
      ['full sync (ours)', ms(fullMs)],
      ['  its CPU (process) / main thread busy', cpu(fulls)],
      ['  its process: start to sync start', ms(fulls.map((figures) => figures.startupMs ?? 0))],
      ['  its process: spawn to exit', ms(fulls.map((figures) => figures.processMs ?? 0))],
      [
        '  requests, peak RSS',
        `${last(fulls).sourceRequests} GitHub requests (${fullHttp.join('/')} HTTP incl. redirect), peak RSS ${fulls.map((figures) => figures.maxRssMB.toFixed(0)).join(' / ')} MB`,
      ],
      ['git clone --depth 1 (reference)', ms(clones)],
      [
        'full sync, archive made on request by the peer',
        `${madeOnRequest.ms.toFixed(0)} ms vs git clone ${madeOnRequestClone.toFixed(0)} ms: ${(madeOnRequest.ms / madeOnRequestClone).toFixed(2)}x (the peer's gzip shares our cores)`,
      ],
      ['rsync -a --delete of a checkout (reference)', `${rsyncFull.toFixed(0)} ms`],
      ['incremental sync, 10 files (ours)', ms(incrementalMs)],
      ['  its CPU (process) / main thread busy', cpu(incrementals)],
      ['  its process: start to sync start', ms(incrementals.map((figures) => figures.startupMs ?? 0))],
      ['  its process: spawn to exit', ms(incrementals.map((figures) => figures.processMs ?? 0))],
      [
        '  requests, peak RSS',
        `${last(incrementals).sourceRequests} GitHub requests (${incrementalHttp.join('/')} HTTP), peak RSS ${incrementals.map((figures) => figures.maxRssMB.toFixed(0)).join(' / ')} MB, written ${last(incrementals).counts?.written}`,
      ],
      ['rsync -a --delete, same 10-file change (reference)', ms(rsyncs)],
      [
        'full sync / git clone',
        `${(median(fullMs) / median(clones)).toFixed(2)}x median; per run ${fullMs.map((value, i) => (value / clones[i]!).toFixed(2)).join(' / ')} (target <= 1)`,
      ],
      [
        'incremental sync / rsync incremental',
        `${(median(incrementalMs) / median(rsyncs)).toFixed(2)}x median; per round ${incrementalMs.map((value, i) => (value / rsyncs[i]!).toFixed(2)).join(' / ')} (target < 1)`,
      ],
      [
        'incremental, process start + sync / rsync incremental',
        `${(median(incrementals.map((figures) => (figures.startupMs ?? 0) + figures.ms)) / median(rsyncs)).toFixed(2)}x median`,
      ],
      ['incremental sync, 10 files, warm process (ours)', ms(warms.map((figures) => figures.ms))],
      ['rsync -a --delete, same change (reference)', ms(warmRsyncs)],
      [
        'warm incremental sync / rsync incremental',
        `${(median(warms.map((figures) => figures.ms)) / median(warmRsyncs)).toFixed(2)}x median; per round ${warms.map((figures, i) => (figures.ms / warmRsyncs[i]!).toFixed(2)).join(' / ')}`,
      ],
      ['load average after each run', loads.join(' | ')],
    ];
    console.log(`\nsync benchmark${pinnedNote()}`);
    for (const [name, value] of rows) console.log(`  ${name.padEnd(52)} ${value}`);
    const failed = [madeOnRequest, ...fulls, ...incrementals, ...warms].filter(
      (figures) => figures.status !== 'succeeded',
    );
    if (failed.length > 0) throw new Error(`a sync did not succeed: ${JSON.stringify(failed)}`);
  } finally {
    await stop();
  }
}
