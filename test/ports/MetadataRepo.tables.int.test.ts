import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { odata, TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { DEVSTORE_KEY } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { ManifestTooLargeError } from '../../src/adapters/azure-tables/TableManifestStore';
import { TableMetadataRepo } from '../../src/adapters/azure-tables/TableMetadataRepo';
import type { Scope } from '../../src/domain/shared/Scope';
import { Fault } from '../../src/ports/Fault';
import { MetadataUnavailableError } from '../../src/ports/MetadataRepo';
import { EmbeddedAzurite, uniqueTablePrefix, useAzurite } from '../support/azurite';
import { describeMetadataRepoContract, metadataFixtures } from './contracts/MetadataRepo.contract';

const azurite = useAzurite();
const TABLES = ['Connections', 'Runs', 'Manifests', 'Leases', 'Deliveries'];

async function freshRepo(): Promise<{ adapter: TableMetadataRepo; cleanup: () => Promise<void>; tablePrefix: string }> {
  const tablePrefix = uniqueTablePrefix();
  const adapter = new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix });
  await adapter.ensureTables();
  const cleanup = async () => {
    // Each test gets its own tables; dropping them keeps the in-memory emulator small.
    await Promise.all(
      TABLES.map((suffix) =>
        TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}${suffix}`, {
          allowInsecureConnection: true,
        }).deleteTable(),
      ),
    );
  };
  return { adapter, cleanup, tablePrefix };
}

describeMetadataRepoContract('Azure Tables (embedded Azurite)', freshRepo);

describe('TableMetadataRepo specifics', () => {
  const ORG = 'org-x' as Scope;

  it('creates its five tables idempotently, even when called concurrently', async () => {
    const { adapter, cleanup } = await freshRepo();
    await Promise.all([adapter.ensureTables(), adapter.ensureTables()]);
    await adapter.ensureTables();
    await adapter.saveConnection(metadataFixtures.fullConnection(ORG));
    expect(await adapter.getConnection(ORG)).toStrictEqual(metadataFixtures.fullConnection(ORG));
    await cleanup();
  });

  it('rejects a table prefix that would make an invalid table name', () => {
    expect(() => new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix: '1bad' })).toThrow(
      RangeError,
    );
    expect(
      () => new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix: 'bad-name' }),
    ).toThrow(RangeError);
  });

  it('refuses a manifest too large for one transaction and keeps the previous one', async () => {
    const { adapter, cleanup } = await freshRepo();
    const previous = metadataFixtures.entries(50);
    await adapter.saveManifest({ scope: ORG, commitSha: 'a'.repeat(40), entries: previous });
    const huge = metadataFixtures.entries(70_000, { randomPaths: true });
    const error = await adapter
      .saveManifest({ scope: ORG, commitSha: 'b'.repeat(40), entries: huge })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestTooLargeError);
    expect((error as ManifestTooLargeError).message).toContain('70000 entries');
    expect(await adapter.getManifest(ORG)).toStrictEqual({
      scope: ORG,
      commitSha: 'a'.repeat(40),
      entries: previous,
      dirty: false,
    });
    await cleanup();
  });

  it('deletes the stale chunk rows of a bigger manifest in the same save', async () => {
    const { adapter, cleanup, tablePrefix } = await freshRepo();
    const rowsOf = async () => {
      const client = TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}Manifests`, {
        allowInsecureConnection: true,
      });
      const keys: string[] = [];
      for await (const row of client.listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${ORG}`, select: ['RowKey'] },
      })) {
        keys.push(row.rowKey as string);
      }
      return keys.sort();
    };
    // ~1.2 MB compressed: more than one chunk row (12 x 60 KiB each).
    await adapter.saveManifest({
      scope: ORG,
      commitSha: 'a'.repeat(40),
      entries: metadataFixtures.entries(25_000, { randomPaths: true }),
    });
    expect(await rowsOf()).toEqual(['chunk|0000', 'chunk|0001', 'header']);
    await adapter.saveManifest({ scope: ORG, commitSha: 'b'.repeat(40), entries: metadataFixtures.entries(10) });
    expect(await rowsOf()).toEqual(['chunk|0000', 'header']);
    await adapter.deleteManifest(ORG);
    expect(await rowsOf()).toEqual([]);
    await cleanup();
  });

  it('saves right after another writer changed the partition since this one last read it', async () => {
    const { adapter, cleanup, tablePrefix } = await freshRepo();
    const other = new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix });
    const big = metadataFixtures.entries(25_000, { randomPaths: true }); // two chunk rows
    const small = metadataFixtures.entries(10, { seed: 2 });
    const next = metadataFixtures.entries(20, { seed: 3 });
    const expectOnly = async (commitSha: string, entries: typeof small) => {
      expect(await adapter.getManifest(ORG)).toStrictEqual({ scope: ORG, commitSha, entries, dirty: false });
      expect(await other.getManifest(ORG)).toStrictEqual({ scope: ORG, commitSha, entries, dirty: false });
    };

    // Saved in between: this writer's last look at the rows is stale, and so is the header's ETag.
    await adapter.saveManifest({ scope: ORG, commitSha: 'a'.repeat(40), entries: small });
    await adapter.getManifest(ORG);
    await other.saveManifest({ scope: ORG, commitSha: 'b'.repeat(40), entries: big });
    await adapter.saveManifest({ scope: ORG, commitSha: 'c'.repeat(40), entries: next });
    await expectOnly('c'.repeat(40), next);

    // Saved in between, then marked dirty here (the ETag is fresh, the rows seen are not).
    await adapter.getManifest(ORG);
    await other.saveManifest({ scope: ORG, commitSha: 'd'.repeat(40), entries: big });
    await adapter.markManifestDirty(ORG);
    await adapter.saveManifest({ scope: ORG, commitSha: 'e'.repeat(40), entries: small });
    await expectOnly('e'.repeat(40), small);

    // The other way round: rows seen here that another writer removed meanwhile.
    await adapter.saveManifest({ scope: ORG, commitSha: 'f'.repeat(40), entries: big });
    await adapter.getManifest(ORG);
    await other.saveManifest({ scope: ORG, commitSha: '1'.repeat(40), entries: small });
    await adapter.markManifestDirty(ORG);
    await adapter.saveManifest({ scope: ORG, commitSha: '2'.repeat(40), entries: next });
    await expectOnly('2'.repeat(40), next);

    // Deleted in between.
    await adapter.getManifest(ORG);
    await other.deleteManifest(ORG);
    await adapter.saveManifest({ scope: ORG, commitSha: '3'.repeat(40), entries: small });
    await expectOnly('3'.repeat(40), small);
    await cleanup();
  });

  it('never lets a reader see a mix of two manifests saved concurrently', async () => {
    const { adapter, cleanup } = await freshRepo();
    // Two manifests of different sizes (2 and 1 storage rows), written over and over by two writers.
    const versions = [
      { commitSha: '1'.repeat(40), entries: metadataFixtures.entries(20_000, { seed: 11, randomPaths: true }) },
      { commitSha: '2'.repeat(40), entries: metadataFixtures.entries(3_000, { seed: 12, randomPaths: true }) },
    ];
    await adapter.saveManifest({ scope: ORG, ...versions[0]! });
    const writers = versions.map(async (version) => {
      for (let i = 0; i < 4; i += 1) await adapter.saveManifest({ scope: ORG, ...version });
    });
    let reads = 0;
    const reader = (async () => {
      for (let i = 0; i < 12; i += 1) {
        const read = await adapter.getManifest(ORG);
        const match = versions.find((version) => version.commitSha === read?.commitSha);
        expect(read?.entries).toEqual(match?.entries);
        reads += 1;
      }
    })();
    await Promise.all([...writers, reader]);
    expect(reads).toBe(12);
    await cleanup();
  });

  it('reports a stopped store as MetadataUnavailableError (retryable), without secrets in the message', async () => {
    const own = await EmbeddedAzurite.start();
    const adapter = new TableMetadataRepo({
      connectionString: own.connectionString,
      tablePrefix: uniqueTablePrefix(),
      clientOptions: { retryOptions: { maxRetries: 0 } },
    });
    await adapter.ensureTables();
    await adapter.recordDeadLetterDecision('m-0', { reason: 'x', description: 'y', at: new Date() });
    await own.stop();

    const error = await adapter.getConnection(ORG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataUnavailableError);
    expect((error as MetadataUnavailableError).retryable).toBe(true);
    expect((error as Error).message).not.toContain(DEVSTORE_KEY);
    await expect(adapter.acquireLease(ORG, 'w', new Date(), 1_000)).rejects.toBeInstanceOf(MetadataUnavailableError);
    await expect(
      adapter.saveManifest({ scope: ORG, commitSha: 'c'.repeat(40), entries: new Map() }),
    ).rejects.toBeInstanceOf(MetadataUnavailableError);
  });

  it('maps a store stopped mid-run to a retryable Fault in every operation (an unmapped SDK error would no longer be retried)', async () => {
    const own = await EmbeddedAzurite.start();
    const adapter = new TableMetadataRepo({
      connectionString: own.connectionString,
      tablePrefix: uniqueTablePrefix(),
      clientOptions: { retryOptions: { maxRetries: 0 } },
    });
    await adapter.ensureTables();
    const acquired = await adapter.acquireLease(ORG, 'w', new Date(), 60_000);
    if (acquired.kind !== 'acquired') throw new Error('lease not acquired');
    await own.stop();

    const now = new Date();
    const operations: Record<string, () => Promise<unknown>> = {
      getConnection: () => adapter.getConnection(ORG),
      listConnections: () => adapter.listConnections(),
      deleteConnection: () => adapter.deleteConnection(ORG),
      saveRun: () => adapter.saveRun(metadataFixtures.finishedRun('r-1')),
      getRun: () => adapter.getRun('r-1'),
      listRuns: () => adapter.listRuns({ limit: 10 }),
      getManifest: () => adapter.getManifest(ORG),
      markManifestDirty: () => adapter.markManifestDirty(ORG),
      deleteManifest: () => adapter.deleteManifest(ORG),
      renewLease: () => adapter.renewLease(acquired.lease, now, 60_000),
      releaseLease: () => adapter.releaseLease(acquired.lease, now, 60_000),
      deleteRunsBefore: () => adapter.deleteRunsBefore(now, { keepNewestPerScope: 1 }),
      deleteDeliveriesBefore: () => adapter.deleteDeliveriesBefore(now),
      recordDeadLetterDecision: () =>
        adapter.recordDeadLetterDecision('m-1', { reason: 'x', description: 'y', at: now }),
      getDeadLetterDecision: () => adapter.getDeadLetterDecision('m-1'),
    };
    const unmapped: string[] = [];
    for (const [name, operation] of Object.entries(operations)) {
      const error = await operation().then(
        () => null,
        (e: unknown) => e,
      );
      if (!(error instanceof Fault) || !error.retryable)
        unmapped.push(`${name}: ${error instanceof Error ? `${error.name} ${error.message}` : String(error)}`);
    }
    expect(unmapped).toEqual([]);
  });
});

describe('EmbeddedAzurite', () => {
  it('starts on an OS-chosen port with a path-style devstoreaccount1 connection string', async () => {
    const a = await EmbeddedAzurite.start();
    const b = await EmbeddedAzurite.start({ port: 0 });
    try {
      expect(a.port).toBeGreaterThan(0);
      expect(b.port).not.toBe(a.port);
      expect(a.connectionString).toContain(`TableEndpoint=http://127.0.0.1:${a.port}/devstoreaccount1;`);
      expect(a.connectionString).toContain('AccountName=devstoreaccount1;');
    } finally {
      await a.stop();
      await b.stop();
      await b.stop(); // stopping twice is harmless
    }
  });

  it('keeps data across a stop and start when given a persistence folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'azurite-persist-'));
    try {
      const first = await EmbeddedAzurite.start({ persistencePath: join(folder, 'nested') });
      const repo1 = new TableMetadataRepo({ connectionString: first.connectionString, tablePrefix: 'persist' });
      await repo1.ensureTables();
      await repo1.saveConnection(metadataFixtures.fullConnection(ORG_P));
      await repo1.saveManifest({ scope: ORG_P, commitSha: 'e'.repeat(40), entries: metadataFixtures.entries(1_000) });
      await first.stop();

      const second = await EmbeddedAzurite.start({ persistencePath: join(folder, 'nested') });
      try {
        const repo2 = new TableMetadataRepo({ connectionString: second.connectionString, tablePrefix: 'persist' });
        await repo2.ensureTables();
        expect(await repo2.getConnection(ORG_P)).toStrictEqual(metadataFixtures.fullConnection(ORG_P));
        expect((await repo2.getManifest(ORG_P))?.entries).toEqual(metadataFixtures.entries(1_000));
      } finally {
        await second.stop();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('forgets everything at stop when in memory', async () => {
    const first = await EmbeddedAzurite.start();
    const repo1 = new TableMetadataRepo({ connectionString: first.connectionString, tablePrefix: 'mem' });
    await repo1.ensureTables();
    await repo1.saveConnection(metadataFixtures.fullConnection(ORG_P));
    expect(await repo1.getConnection(ORG_P)).not.toBeNull();
    await first.stop();
    const second = await EmbeddedAzurite.start();
    try {
      const repo2 = new TableMetadataRepo({ connectionString: second.connectionString, tablePrefix: 'mem' });
      await repo2.ensureTables();
      expect(await repo2.getConnection(ORG_P)).toBeNull();
    } finally {
      await second.stop();
    }
  });
});

const ORG_P = 'org-persist' as Scope;
