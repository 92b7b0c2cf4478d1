import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { GitHubPeer } from '../test/support/githubPeer';
import { GitRepo } from '../test/support/gitRepo';
import { runSync, type SyncFigures } from './syncBench';

const MB = 1024 * 1024;

/** 70 small scripts: enough files for the tarball path (SYNC_ARCHIVE_THRESHOLD 64). */
async function writeScripts(repo: GitRepo): Promise<void> {
  await repo.writeMany(
    Array.from({ length: 70 }, (_, i) => ({ path: `scripts/s-${i}.ps1`, content: `Write-Host ${i}\n`.repeat(50) })),
    'scripts',
  );
}

/**
 * Issue #8 item 3: peak RSS of a sync while it moves large files, beside the same process syncing
 * only small files. A 100 MiB tarball entry (the largest file a sync mirrors by default) and eight
 * 90 MB blobs fetched at once; before streaming, the process held each of them whole.
 */
export async function memoryBench(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'wsync-memory-bench-'));
  const azurite = await EmbeddedAzurite.start({});
  const peer = await GitHubPeer.start();
  const token = `bench-${randomBytes(8).toString('hex')}`;
  peer.addToken(token);
  try {
    const reference = await GitRepo.create(join(work, 'reference'));
    await writeScripts(reference);
    peer.addRepository('bench/reference', reference, { token });

    const large = await GitRepo.create(join(work, 'large'));
    await writeScripts(large);
    await large.write('big/entry.bin', randomBytes(100 * MB));
    await large.commit('one 100 MiB file');
    peer.addRepository('bench/large', large, { token });

    const connection = (scope: string, repository: string) => ({
      scope,
      repository,
      branch: 'main',
      tokenRef: 'BENCH_TOKEN',
      webhookSecretRef: 'BENCH_TOKEN',
    });
    const env: NodeJS.ProcessEnv = {
      WORKSPACE_ROOT: join(work, 'workspace'),
      DATA_DIR: join(work, 'data'),
      TABLES_CONNECTION_STRING: azurite.connectionString,
      TABLES_PREFIX: 'membench',
      GITHUB_API_URL: peer.url,
      SECRET_STORE: 'env',
      BENCH_TOKEN: token,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      CONNECTIONS: JSON.stringify([
        connection('GLOBAL', 'bench/large'),
        connection('org-reference', 'bench/reference'),
      ]),
    };

    const baseline = await runSync(env, 'org-reference');
    const tarball = await runSync(env, 'GLOBAL');
    for (let i = 0; i < 8; i++) await large.write(`big/blob-${i}.bin`, randomBytes(90 * 1000 * 1000));
    await large.commit('eight 90 MB files');
    const blobs = await runSync(env, 'GLOBAL');

    const row = (figures: SyncFigures): string =>
      `peak RSS ${figures.maxRssMB.toFixed(0)} MB (+${(figures.maxRssMB - baseline.maxRssMB).toFixed(0)} MB), ${figures.ms.toFixed(0)} ms, ${figures.sourceRequests} GitHub requests, status ${figures.status}`;
    console.log('\nmemory benchmark');
    console.log(
      `  ${'reference: 70 small files (tarball)'.padEnd(44)} peak RSS ${baseline.maxRssMB.toFixed(0)} MB, ${baseline.ms.toFixed(0)} ms`,
    );
    console.log(`  ${'70 small + one 100 MiB file (tarball)'.padEnd(44)} ${row(tarball)}`);
    console.log(`  ${'8 x 90 MB files, 8 blobs at once'.padEnd(44)} ${row(blobs)}`);
    if ([baseline, tarball, blobs].some((figures) => figures.status !== 'succeeded')) {
      throw new Error(`a sync did not succeed: ${JSON.stringify({ baseline, tarball, blobs })}`);
    }
  } finally {
    await peer.stop();
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}
