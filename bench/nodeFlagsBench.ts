import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { otherBuild, type Side, thisBuild } from './benchSides';
import { startBenchStage } from './benchStage';
import { pinnedNote } from './pinnedCommand';
import { median, type SyncFigures, timeCommand } from './syncBench';

/** The variants compared by default: the production options alone, and with `optimizeForMemory` (Bicep). */
const DEFAULT_VARIANTS: Record<string, string> = { production: '', 'optimize-for-size': '--optimize-for-size' };

/**
 * Memory against speed: full syncs of the sync bench's repository (BENCH_FILES, default 10,000),
 * each in a fresh process with the production Node options plus one variant's options
 * (BENCH_NODE_VARIANTS, a JSON object of name -> options), and with BENCH_COMPARE_DIST another
 * build's `dist` with its production options; the sides interleaved for BENCH_RUNS rounds
 * (default 3), each round beside a `git clone --depth 1` of the same repository.
 */
export async function nodeFlagsBench(): Promise<void> {
  const variants = JSON.parse(process.env.BENCH_NODE_VARIANTS ?? JSON.stringify(DEFAULT_VARIANTS)) as Record<
    string,
    string
  >;
  const sides: Side[] = [
    ...Object.entries(variants).map(([name, options]) => thisBuild(options ? `${name} (${options})` : name, options)),
    ...[otherBuild()].filter((side) => side !== undefined),
  ];
  const rounds = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const fileCount = Number(process.env.BENCH_FILES ?? 10_000);
  const { work, repo, envFor, stop } = await startBenchStage('wsync-flags-bench-', fileCount);
  try {
    let next = 0;
    const sync = async (side: Side): Promise<SyncFigures> => {
      const run = next++;
      const env = envFor(run);
      const figures = await side.runSync(env, 'GLOBAL', side.nodeArgs);
      if (figures.status !== 'succeeded') throw new Error(`a sync did not succeed: ${JSON.stringify(figures)}`);
      // 100-500 MB per sync: not left for the next one's disk to write back.
      await rm(env.WORKSPACE_ROOT!, { recursive: true, force: true });
      return figures;
    };
    await sync(thisBuild('production', '')); // the peer makes the archive once (codeload keeps it); the timed syncs download it ready

    const results = new Map<Side, SyncFigures[]>(sides.map((side) => [side, []]));
    const clones: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate the order, so neither variant always runs right after the other.
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) results.get(side)!.push(await sync(side));
      const cloneDir = join(work, `clone-${round}`);
      clones.push(timeCommand('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, cloneDir]));
      await rm(cloneDir, { recursive: true, force: true });
    }

    console.log(
      `\nnode flags benchmark: full syncs of ${fileCount} files, ${rounds} interleaved round(s)${pinnedNote()}`,
    );
    console.log(`  ${'git clone --depth 1 (reference)'.padEnd(40)} median ${median(clones).toFixed(0)} ms`);
    for (const side of sides) {
      const runs = results.get(side)!;
      const rss = runs.map((figures) => figures.maxRssMB);
      console.log(
        `  ${side.name.padEnd(40)} median ${median(runs.map((f) => f.ms)).toFixed(0)} ms, ` +
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
