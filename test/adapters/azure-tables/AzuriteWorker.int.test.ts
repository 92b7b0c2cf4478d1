import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { AzuriteWorker } from '../../../src/adapters/azure-tables/AzuriteWorker';
import { FolderLockedError } from '../../../src/adapters/azure-tables/FolderLock';

/** The worker runs the compiled entry (`npm run build`), as the tests that start the service do. */
const COMPILED_WORKER = resolve(__dirname, '../../../dist/src/adapters/azure-tables/azuriteWorkerThread.js');

/** Whether something accepts connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const probe = createServer();
    probe.once('error', () => resolveAccepts(true));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolveAccepts(false)));
  });
}

async function roundTrip(connectionString: string, table: string, rowKey: string): Promise<unknown> {
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  await client.createTable();
  await client.upsertEntity({ partitionKey: 'p', rowKey, Value: `value-${rowKey}` });
  return (await client.getEntity<{ Value: string }>('p', rowKey)).Value;
}

describe('the embedded Azurite in a worker thread', () => {
  beforeAll(() => {
    if (!existsSync(COMPILED_WORKER)) throw new Error('dist/ is missing: run npm run build first');
  });

  it('starts, serves the Table service, and on stop closes its port', async () => {
    const azurite = await AzuriteWorker.start();
    try {
      expect(azurite.tableEndpoint).toBe(`http://127.0.0.1:${azurite.port}/devstoreaccount1`);
      expect(await roundTrip(azurite.connectionString, 'workerRoundTrip', 'r1')).toBe('value-r1');
      expect(await accepts(azurite.port)).toBe(true);
    } finally {
      await azurite.stop();
    }
    expect(await accepts(azurite.port)).toBe(false);
    await azurite.stop(); // a second stop is a no-op
  });

  it('keeps a persistent database across a stop and a start, and releases its folder on stop', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'azurite-worker-'));
    const first = await AzuriteWorker.start({ persistencePath: folder });
    // A second Azurite on the folder is refused while the first holds it, in this process as in another.
    await expect(AzuriteWorker.start({ persistencePath: folder })).rejects.toBeInstanceOf(FolderLockedError);
    await roundTrip(first.connectionString, 'workerPersisted', 'kept');
    await first.stop();
    expect(await readdir(folder)).not.toContain('workspace-sync.pid');

    const second = await AzuriteWorker.start({ persistencePath: folder });
    try {
      const client = TableClient.fromConnectionString(second.connectionString, 'workerPersisted', {
        allowInsecureConnection: true,
      });
      expect((await client.getEntity<{ Value: string }>('p', 'kept')).Value).toBe('value-kept');
    } finally {
      await second.stop();
    }
  });

  it('surfaces a start-up failure in the thread as an error, with its code, and releases the folder', async () => {
    const taken = createServer();
    await new Promise<void>((resolveListen) => taken.listen(0, '127.0.0.1', resolveListen));
    const { port } = taken.address() as { port: number };
    const folder = await mkdtemp(join(tmpdir(), 'azurite-worker-'));
    try {
      await expect(AzuriteWorker.start({ port, persistencePath: folder })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      expect(await readdir(folder)).not.toContain('workspace-sync.pid');
    } finally {
      await new Promise<void>((resolveClose) => taken.close(() => resolveClose()));
    }
  });
});
