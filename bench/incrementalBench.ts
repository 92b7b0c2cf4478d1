import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { changedFiles } from './benchRepo';
import { otherBuild, type Side, thisBuild } from './benchSides';
import { startBenchStage } from './benchStage';
import { pinnedNote } from './pinnedCommand';
import { ensureRsync, median, type SyncFigures, timeCommand } from './syncBench';

/**
 * The sides compared: this build; with BENCH_COMPARE_DIST, another build's `dist` syncing the same
 * changes; with BENCH_NODE_VARIANTS (a JSON object, name -> Node options), this build with each
 * variant's options.
 */
function sidesToCompare(): Side[] {
  const variants = JSON.parse(process.env.BENCH_NODE_VARIANTS ?? '{}') as Record<string, string>;
  return [
    thisBuild('this build', ''),
    ...[otherBuild()].filter((side) => side !== undefined),
    ...Object.entries(variants).map(([name, options]) => thisBuild(name, options)),
  ];
}

/**
 * Issue #10's incremental target, measured as an A/B: BENCH_RUNS rounds (default 8) in which each
 * side syncs a push of 10 changed files in a fresh process, on a workspace and tables of its own,
 * each sync followed by `rsync -a --delete` of the same change between two checkouts. Sides take
 * turns in alternating order, so a busy spell of the shared machine falls on all of them.
 * BENCH_FILES (default 10,000) sizes the repository.
 */
export async function incrementalBench(): Promise<void> {
  ensureRsync();
  const rounds = Math.max(1, Number(process.env.BENCH_RUNS ?? 8));
  const sides = sidesToCompare();
  const { work, repo, files, envFor, stop } = await startBenchStage(
    'wsync-incremental-bench-',
    Number(process.env.BENCH_FILES ?? 10_000),
  );
  try {
    const sync = async (side: Side, index: number): Promise<SyncFigures> => {
      const figures = await side.runSync(envFor(index + 1), 'GLOBAL', side.nodeArgs);
      if (figures.status !== 'succeeded') throw new Error(`a sync did not succeed: ${JSON.stringify(figures)}`);
      return figures;
    };
    for (const [index, side] of sides.entries()) await sync(side, index); // the first, full syncs
    const checkout = join(work, 'rsync-source');
    const copy = join(work, 'rsync-copy');
    execFileSync('git', ['clone', '-q', `file://${repo.dir}`, checkout]);
    timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]);

    const ms = sides.map((): number[] => []);
    const ratios = sides.map((): number[] => []);
    const loads: string[] = [];
    let change = 0;
    for (let round = 0; round < rounds; round++) {
      const order = [...sides.keys()];
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        change += 1;
        await repo.writeMany(changedFiles(files, 10, 1_000 + change), `bench: 10 changed files, change ${change}`);
        const figures = await sync(sides[index]!, index);
        execFileSync('git', ['-C', checkout, 'pull', '-q', '--ff-only'], { stdio: 'ignore' });
        const rsyncMs = timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${checkout}/`, copy]);
        ms[index]!.push(figures.ms);
        ratios[index]!.push(figures.ms / rsyncMs);
      }
      loads.push(loadavg()[0]!.toFixed(2));
    }

    console.log(
      `\nincremental benchmark: ${files.length} files, 10 changed per sync, ${rounds} interleaved round(s)${pinnedNote()}`,
    );
    for (const [index, side] of sides.entries()) {
      const all = ms[index]!.map((value) => value.toFixed(0)).join(' / ');
      console.log(`  ${side.name.padEnd(36)} median ${median(ms[index]!).toFixed(0)} ms (${all})`);
      const perSync = ratios[index]!.map((value) => value.toFixed(2)).join(' / ');
      console.log(
        `    / the rsync right after it         ${median(ratios[index]!).toFixed(2)}x median (${perSync}) (target < 1)`,
      );
    }
    console.log(`  load average (1 min) after each round ${loads.join(' ')}`);
  } finally {
    await stop();
  }
}
