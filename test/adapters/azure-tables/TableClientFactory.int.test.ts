import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';
import { jsonFromFreshProcess } from '../../support/freshProcess';
import { SERVICE_MAIN } from '../../support/serviceProcess';

const azurite = useAzurite();
const FACTORY = resolve(SERVICE_MAIN, '../../adapters/azure-tables/TableClientFactory.js');

interface Report {
  readonly read: unknown;
  readonly listed: number;
  readonly undiciLoaded: boolean;
}

/**
 * In a fresh process (a module is loaded once per process): a client from the factory creates a
 * table, writes one entity alone and two in a transaction, reads and lists them, and says whether
 * fetch's implementation (undici) was loaded meanwhile.
 */
async function useClientInFreshProcess(connectionString: string, table: string): Promise<Report> {
  const script = `
    const { tableClientsFromConnectionString } = require(${JSON.stringify(FACTORY)});
    (async () => {
      const client = tableClientsFromConnectionString(process.env.CONNECTION)(process.env.TABLE);
      await client.createTable();
      await client.upsertEntity({ partitionKey: 'p', rowKey: 'one', Text: 'é'.repeat(3) });
      await client.submitTransaction([
        ['create', { partitionKey: 'p', rowKey: 'two', Count: 2 }],
        ['create', { partitionKey: 'p', rowKey: 'three', Bytes: Buffer.from([1, 2, 3]) }],
      ]);
      const read = await client.getEntity('p', 'one');
      let listed = 0;
      for await (const _entity of client.listEntities()) listed += 1;
      const undiciLoaded = process.moduleLoadList.some((name) => name.includes('undici'));
      process.stdout.write(JSON.stringify({ read: read.Text, listed, undiciLoaded }));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  return jsonFromFreshProcess<Report>(script, { PATH: process.env.PATH, CONNECTION: connectionString, TABLE: table });
}

describe('the Tables clients the service makes', () => {
  beforeAll(() => {
    if (!existsSync(FACTORY)) throw new Error('dist/ is missing: run npm run build first');
  });

  it('read and write without loading undici (a fresh sync has no other use for it)', async () => {
    const report = await useClientInFreshProcess(azurite.connectionString, `${uniqueTablePrefix()}Probe`);
    expect(report).toEqual({ read: 'ééé', listed: 3, undiciLoaded: false });
  });
});
