import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { GitHubPeer } from '../test/support/githubPeer';
import { GitRepo } from '../test/support/gitRepo';
import { benchFiles } from './benchRepo';
import { benchSyncEnv, median, runSync, type SyncFigures } from './syncBench';

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
  const work = await mkdtemp(join(tmpdir(), 'wsync-flags-bench-'));
  const azurite = await EmbeddedAzurite.start({});
  const peer = await GitHubPeer.start({ archiveCache: true });
  const token = `bench-${randomBytes(8).toString('hex')}`;
  peer.addToken(token);
  try {
    const repo = await GitRepo.create(join(work, 'repo'));
    await repo.writeMany(benchFiles(fileCount), 'bench initial');
    peer.addRepository('bench/scripts', repo, { token });
    let next = 0;
    const sync = async (nodeArgs: string): Promise<SyncFigures> => {
      const run = next++;
      const env = benchSyncEnv({
        work,
        run,
        tablesConnectionString: azurite.connectionString,
        githubUrl: peer.url,
        token,
      });
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
      const started = process.hrtime.bigint();
      execFileSync('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, cloneDir], {
        stdio: 'ignore',
      });
      clones.push(Number(process.hrtime.bigint() - started) / 1e6);
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
    await peer.stop();
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}
