import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { GitHubPeer } from '../test/support/githubPeer';
import { GitRepo } from '../test/support/gitRepo';
import { benchFiles, changedFiles } from './benchRepo';

export interface SyncFigures {
  ms: number;
  status?: string;
  counts?: { written: number; deleted: number; unchanged: number; bytesWritten: number };
  sourceRequests?: number;
  maxRssMB: number;
  error?: unknown;
}

function timeCommand(command: string, args: string[], cwd?: string): number {
  const started = process.hrtime.bigint();
  execFileSync(command, args, { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function ensureRsync(): void {
  if (spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0) return;
  console.log('rsync is missing: installing it from Debian packages');
  execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq rsync'], { stdio: 'inherit' });
}

/** One sync of `scope` in a fresh process wired from `env`; its figures, peak RSS included. */
export function runSync(env: NodeJS.ProcessEnv, scope = 'GLOBAL'): Promise<SyncFigures> {
  return new Promise((resolvePromise, reject) => {
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the sync process.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, resolve(__dirname, 'syncOnce.js'), scope], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sync process exited with ${code}`));
      const lines = out.trim().split('\n');
      if (process.env.BENCH_LOG_LEVEL) lines.slice(0, -1).forEach((line) => console.log(line));
      resolvePromise(JSON.parse(lines.pop()!) as SyncFigures);
    });
  });
}

/** Issue #2's benchmark: full and incremental sync vs git clone and rsync, in one run. */
export async function syncBench(): Promise<void> {
  ensureRsync();
  const work = await mkdtemp(join(tmpdir(), 'wsync-bench-'));
  const azurite = await EmbeddedAzurite.start({});
  const peer = await GitHubPeer.start();
  const token = `bench-${randomBytes(8).toString('hex')}`;
  peer.addToken(token);
  try {
    const repo = await GitRepo.create(join(work, 'repo'));
    const files = benchFiles();
    const totalBytes = files.reduce((sum, file) => sum + (typeof file.content === 'string' ? Buffer.byteLength(file.content) : file.content.byteLength), 0);
    console.log(`building the repository: ${files.length} files, ${(totalBytes / 1e6).toFixed(1)} MB`);
    await repo.writeMany(files, 'bench initial');
    peer.addRepository('bench/scripts', repo, { token });

    const env: NodeJS.ProcessEnv = {
      WORKSPACE_ROOT: join(work, 'workspace'),
      DATA_DIR: join(work, 'data'),
      TABLES_CONNECTION_STRING: azurite.connectionString,
      TABLES_PREFIX: 'bench',
      GITHUB_API_URL: peer.url,
      SECRET_STORE: 'env',
      BENCH_TOKEN: token,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      CONNECTIONS: JSON.stringify([{ scope: 'GLOBAL', repository: 'bench/scripts', branch: 'main', tokenRef: 'BENCH_TOKEN', webhookSecretRef: 'BENCH_TOKEN' }]),
    };

    peer.resetRequests();
    const full = await runSync(env);
    const fullHttp = peer.requests.length;

    const changed = changedFiles(files, 10, 1);
    await repo.writeMany(changed, 'bench: 10 changed files');
    peer.resetRequests();
    const incremental = await runSync(env);
    const incrementalHttp = peer.requests.length;

    // References on the same data, same machine, same run.
    const cloneDir = join(work, 'clone');
    const gitClone = timeCommand('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, cloneDir]);
    const rsyncFull = timeCommand('rsync', ['-a', '--delete', '--exclude', '.git', `${cloneDir}/`, join(work, 'rsync-copy')]);

    const rows: Array<[string, string]> = [
      ['repository', `${files.length} files, ${(totalBytes / 1e6).toFixed(1)} MB`],
      ['full sync (ours)', `${full.ms.toFixed(0)} ms, ${full.sourceRequests} GitHub requests (${fullHttp} HTTP incl. redirect), peak RSS ${full.maxRssMB.toFixed(0)} MB, status ${full.status}`],
      ['git clone --depth 1 (reference)', `${gitClone.toFixed(0)} ms`],
      ['rsync -a --delete of a checkout (reference)', `${rsyncFull.toFixed(0)} ms`],
      ['incremental sync, 10 files (ours)', `${incremental.ms.toFixed(0)} ms, ${incremental.sourceRequests} GitHub requests (${incrementalHttp} HTTP), peak RSS ${incremental.maxRssMB.toFixed(0)} MB, written ${incremental.counts?.written}`],
      ['full sync / git clone', `${(full.ms / gitClone).toFixed(2)}x (target <= 2)`],
      ['full sync / rsync', `${(full.ms / rsyncFull).toFixed(2)}x`],
      ['incremental / full', `${((incremental.ms / full.ms) * 100).toFixed(1)}% (target <= 5%)`],
      ['incremental requests', `${incremental.sourceRequests} (target <= ${3 + 10})`],
    ];
    console.log('\nsync benchmark');
    for (const [name, value] of rows) console.log(`  ${name.padEnd(44)} ${value}`);
    if (full.status !== 'succeeded' || incremental.status !== 'succeeded') {
      throw new Error(`a sync did not succeed: ${JSON.stringify({ full, incremental })}`);
    }
  } finally {
    await peer.stop();
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}
