import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startBenchStage } from './benchStage';
import { median, runSync, type SyncFigures, timeCommand } from './syncBench';

/** The variants compared by default: the production options alone, and with `optimizeForMemory` (Bicep). */
const DEFAULT_VARIANTS: Record<string, string> = { production: '', 'optimize-for-size': '--optimize-for-size' };

/**
 * Memory against speed: full syncs of the sync bench's repository (BENCH_FILES, default 10,000),
 * each in a fresh process with the production Node options plus one variant's options
 * (BENCH_NODE_VARIANTS, a JSON object of name -> options), the variants interleaved for BENCH_RUNS
 * rounds (default 3), each beside a `git clone --depth 1` of the same repository.
 */
export async function nodeFlagsBench(): Promise<void> {
  const variants = Object.entries(
    JSON.parse(process.env.BENCH_NODE_VARIANTS ?? JSON.stringify(DEFAULT_VARIANTS)) as Record<string, string>,
  );
  const rounds = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const fileCount = Number(process.env.BENCH_FILES ?? 10_000);
  const { work, repo, envFor, stop } = await startBenchStage('wsync-flags-bench-', fileCount);
  try {
    let next = 0;
    const sync = async (nodeArgs: string): Promise<SyncFigures> => {
      const run = next++;
      const env = envFor(run);
      const figures = await runSync(env, 'GLOBAL', nodeArgs.split(' ').filter(Boolean));
      if (figures.status !== 'succeeded') throw new Error(`a sync did not succeed: ${JSON.stringify(figures)}`);
      // 100-500 MB per sync: not left for the next one's disk to write back.
      await rm(env.WORKSPACE_ROOT!, { recursive: true, force: true });
      return figures;
    };
    await sync(''); // the peer makes the archive once (codeload keeps it); the timed syncs download it ready

    const results = new Map<string, SyncFigures[]>(variants.map(([name]) => [name, []]));
    const clones: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so neither variant always runs right after the other.
      for (const [name, nodeArgs] of round % 2 === 0 ? variants : [...variants].reverse()) {
        results.get(name)!.push(await sync(nodeArgs));
      }
      const cloneDir = join(work, `clone-${round}`);
      clones.push(timeCommand('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, cloneDir]));
      await rm(cloneDir, { recursive: true, force: true });
    }

    console.log(`\nnode flags benchmark: full syncs of ${fileCount} files, ${rounds} interleaved round(s)`);
    console.log(`  ${'git clone --depth 1 (reference)'.padEnd(40)} median ${median(clones).toFixed(0)} ms`);
    for (const [name, nodeArgs] of variants) {
      const runs = results.get(name)!;
      const rss = runs.map((figures) => figures.maxRssMB);
      console.log(
        `  ${(nodeArgs ? `${name} (${nodeArgs})` : name).padEnd(40)} median ${median(runs.map((f) => f.ms)).toFixed(0)} ms, ` +
          `main thread busy ${median(runs.map((f) => f.mainThreadMs ?? 0)).toFixed(0)} ms, ` +
          `peak RSS ${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)} MB (${rss.map((value) => value.toFixed(0)).join(' / ')})`,
      );
    }
    console.log(
      `  load average after: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await stop();
  }
}
