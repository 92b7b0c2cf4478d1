import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { GitHubPeer } from '../test/support/githubPeer';
import { GitRepo, type RepoFile } from '../test/support/gitRepo';
import { benchFiles } from './benchRepo';

/** What the sync benchmarks run against: the bench repository behind the GitHub peer, and Azurite. */
export interface BenchStage {
  /** A fresh folder for the runs' workspaces, data and clones; removed by `stop`. */
  readonly work: string;
  readonly repo: GitRepo;
  readonly peer: GitHubPeer;
  /** The files of the repository's first commit, and their bytes. */
  readonly files: RepoFile[];
  readonly totalBytes: number;
  /** The environment of run `run`'s sync process (see benchSyncEnv). */
  envFor(run: number): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * Starts Azurite and the GitHub peer (codeload keeps the archives it made, so only the first
 * download pays for making one) and serves `bench/scripts`, a repository of `fileCount` bench files.
 */
export async function startBenchStage(workPrefix: string, fileCount: number): Promise<BenchStage> {
  const work = await mkdtemp(join(tmpdir(), workPrefix));
  const azurite = await EmbeddedAzurite.start({});
  const peer = await GitHubPeer.start({ archiveCache: true });
  const stop = async (): Promise<void> => {
    await peer.stop();
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const token = `bench-${randomBytes(8).toString('hex')}`;
    peer.addToken(token);
    const repo = await GitRepo.create(join(work, 'repo'));
    const files = benchFiles(fileCount);
    const totalBytes = files.reduce(
      (sum, file) =>
        sum + (typeof file.content === 'string' ? Buffer.byteLength(file.content) : file.content.byteLength),
      0,
    );
    console.log(`building the repository: ${files.length} files, ${(totalBytes / 1e6).toFixed(1)} MB`);
    await repo.writeMany(files, 'bench initial');
    peer.addRepository('bench/scripts', repo, { token });
    const envFor = (run: number): NodeJS.ProcessEnv =>
      benchSyncEnv({ work, run, tablesConnectionString: azurite.connectionString, githubUrl: peer.url, token });
    return { work, repo, peer, files, totalBytes, envFor, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The environment of run `run`'s sync process: its own folder, data dir and tables, one scope
 * (GLOBAL) on `bench/scripts`'s main branch, read with `token` from the GitHub peer at `githubUrl`.
 */
function benchSyncEnv(options: {
  work: string;
  run: number;
  tablesConnectionString: string;
  githubUrl: string;
  token: string;
}): NodeJS.ProcessEnv {
  const { work, run } = options;
  return {
    WORKSPACE_ROOT: join(work, `workspace-${run}`),
    DATA_DIR: join(work, `data-${run}`),
    TABLES_CONNECTION_STRING: options.tablesConnectionString,
    TABLES_PREFIX: `bench${run}`,
    GITHUB_API_URL: options.githubUrl,
    SECRET_STORE: 'env',
    BENCH_TOKEN: options.token,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    CONNECTIONS: JSON.stringify([
      {
        scope: 'GLOBAL',
        repository: 'bench/scripts',
        branch: 'main',
        tokenRef: 'BENCH_TOKEN',
        webhookSecretRef: 'BENCH_TOKEN',
      },
    ]),
  };
}
