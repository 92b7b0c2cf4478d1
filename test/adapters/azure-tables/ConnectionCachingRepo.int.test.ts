import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { ConnectionCachingRepo } from '../../../src/adapters/azure-tables/ConnectionCachingRepo';
import { TableMetadataRepo } from '../../../src/adapters/azure-tables/TableMetadataRepo';
import type { Connection } from '../../../src/domain/connections/Connection';
import type { Scope } from '../../../src/domain/shared/Scope';
import { describeMetadataRepoContract, metadataFixtures } from '../../ports/contracts/MetadataRepo.contract';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';

const azurite = useAzurite();
const ORG = 'org-cached' as Scope;
const OTHER = 'org-other' as Scope;
const TTL_MS = 5_000;

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/** The Tables repo on Azurite, counting the reads of the Connections table that reach the wire. */
async function tablesRepo(): Promise<{
  tables: TableMetadataRepo;
  connectionReads: () => number;
  tablePrefix: string;
}> {
  const tablePrefix = uniqueTablePrefix();
  let reads = 0;
  const counter: PipelinePolicy = {
    name: 'countConnectionReads',
    sendRequest: (request, next) => {
      if (request.method === 'GET' && request.url.includes(`/${tablePrefix}Connections(`)) reads += 1;
      return next(request);
    },
  };
  const tables = new TableMetadataRepo({
    connectionString: azurite.connectionString,
    tablePrefix,
    clientOptions: { additionalPolicies: [{ policy: counter, position: 'perCall' }] },
  });
  await tables.ensureTables();
  return { tables, connectionReads: () => reads, tablePrefix };
}

async function cachedRepo(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const { tables, connectionReads, tablePrefix } = await tablesRepo();
  let now = 1_000_000;
  const cached = new ConnectionCachingRepo(tables, {
    ttlMs: options.ttlMs ?? TTL_MS,
    now: () => now,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
  });
  return { cached, tables, connectionReads, tablePrefix, advance: (ms: number) => (now += ms) };
}

const connection = (scope: Scope, change: Partial<Connection> = {}): Connection => ({
  ...metadataFixtures.fullConnection(scope),
  branch: 'main',
  ...change,
});

describeMetadataRepoContract('Azure Tables behind the connection cache', async () => {
  const { cached, tablePrefix } = await cachedRepo();
  const cleanup = async () => {
    for (const suffix of ['Connections', 'Runs', 'Manifests', 'Leases', 'Deliveries']) {
      await TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}${suffix}`, {
        allowInsecureConnection: true,
      }).deleteTable();
    }
  };
  return { adapter: cached, cleanup };
});

describe('ConnectionCachingRepo on Azure Tables', () => {
  it('answers repeated and concurrent look-ups of a scope with one read until the entry expires', async () => {
    const { cached, tables, connectionReads, advance } = await cachedRepo();
    await tables.saveConnection(connection(ORG));
    const answers = await Promise.all(Array.from({ length: 10 }, () => cached.cachedConnection(ORG)));
    expect(answers.every((answer) => answer?.branch === 'main')).toBe(true);
    await cached.cachedConnection(ORG);
    expect(connectionReads()).toBe(1);

    advance(TTL_MS + 1);
    await cached.cachedConnection(ORG);
    expect(connectionReads()).toBe(2);
    // getConnection is never served from the cache: use cases that write back read the store.
    await cached.getConnection(ORG);
    expect(connectionReads()).toBe(3);
  });

  it('sees a change made by another instance once the entry expires, and an unknown scope once it is connected there', async () => {
    const { cached, tables, advance } = await cachedRepo();
    await tables.saveConnection(connection(ORG));
    expect((await cached.cachedConnection(ORG))?.branch).toBe('main');
    expect(await cached.cachedConnection(OTHER)).toBeNull();

    // Another instance writes to the same tables.
    await tables.saveConnection(connection(ORG, { branch: 'release' }));
    await tables.saveConnection(connection(OTHER));
    advance(TTL_MS - 1);
    expect((await cached.cachedConnection(ORG))?.branch).toBe('main');
    expect(await cached.cachedConnection(OTHER)).toBeNull();
    advance(2);
    expect((await cached.cachedConnection(ORG))?.branch).toBe('release');
    expect((await cached.cachedConnection(OTHER))?.scope).toBe(OTHER);

    await tables.deleteConnection(ORG);
    advance(TTL_MS + 1);
    expect(await cached.cachedConnection(ORG)).toBeNull();
  });

  it('forgets at once what a save or a delete through it changes, the absence of an unknown scope included', async () => {
    const { cached, connectionReads } = await cachedRepo({ ttlMs: 3_600_000 });
    expect(await cached.cachedConnection(ORG)).toBeNull();
    await cached.saveConnection(connection(ORG));
    expect((await cached.cachedConnection(ORG))?.branch).toBe('main');
    await cached.saveConnection(connection(ORG, { branch: 'release', enabled: false }));
    expect(await cached.cachedConnection(ORG)).toMatchObject({ branch: 'release', enabled: false });
    await cached.deleteConnection(ORG);
    expect(await cached.cachedConnection(ORG)).toBeNull();
    expect(connectionReads()).toBe(4);
  });

  it('does not keep a look-up that overlapped a write: the next one reads the store again', async () => {
    const { tables, connectionReads } = await tablesRepo();
    await tables.saveConnection(connection(ORG));
    // The store answers this read only after the write below has finished (a slow reply).
    let releaseRead!: () => void;
    const readHeld = new Promise<void>((resolve) => (releaseRead = resolve));
    const slowReads = Object.create(tables) as TableMetadataRepo;
    slowReads.getConnection = async (scope) => {
      const read = await tables.getConnection(scope);
      await readHeld;
      return read;
    };
    const cached = new ConnectionCachingRepo(slowReads, { ttlMs: 3_600_000 });
    const overlapping = cached.cachedConnection(ORG);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await cached.saveConnection(connection(ORG, { branch: 'release' }));
    releaseRead();
    expect((await overlapping)?.branch).toBe('main');
    expect((await cached.cachedConnection(ORG))?.branch).toBe('release');
    expect(connectionReads()).toBe(2);
  });

  it('remembers a bounded number of scopes: random scopes in URLs do not grow memory', async () => {
    const { cached, connectionReads } = await cachedRepo({ maxEntries: 2 });
    for (const scope of ['org-a', 'org-b', 'org-c'] as Scope[]) expect(await cached.cachedConnection(scope)).toBeNull();
    expect(connectionReads()).toBe(3);
    await cached.cachedConnection('org-c' as Scope);
    expect(connectionReads()).toBe(3);
    await cached.cachedConnection('org-a' as Scope); // the oldest, dropped
    expect(connectionReads()).toBe(4);
  });

  it('with a time to live of 0 reads the store every time', async () => {
    const { cached, connectionReads } = await cachedRepo({ ttlMs: 0 });
    await cached.cachedConnection(ORG);
    await cached.cachedConnection(ORG);
    expect(connectionReads()).toBe(2);
  });
});
