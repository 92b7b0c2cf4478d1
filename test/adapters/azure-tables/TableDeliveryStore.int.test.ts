import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TableMetadataRepo } from '../../../src/adapters/azure-tables/TableMetadataRepo';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';

const azurite = useAzurite();
const DAY = 86_400_000;

describe('TableDeliveryStore on Azurite', () => {
  it('prunes the webhook delivery rows earlier versions recorded, by their age, with the dead-letter decisions', async () => {
    const tablePrefix = uniqueTablePrefix();
    const repo = new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix });
    await repo.ensureTables();
    const now = new Date('2026-12-05T12:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    // The row shape of the per-delivery record those versions wrote: partition = delivery id, row = scope.
    const table = TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}Deliveries`, {
      allowInsecureConnection: true,
    });
    await table.createEntity({ partitionKey: 'old-delivery', rowKey: 'scope|contoso', Scope: 'contoso', At: ago(40) });
    await table.createEntity({ partitionKey: 'new-delivery', rowKey: 'scope|contoso', Scope: 'contoso', At: ago(1) });
    await repo.recordDeadLetterDecision('old-message', { reason: 'NotFound', description: 'gone', at: ago(40) });

    expect(await repo.deleteDeliveriesBefore(ago(30))).toBe(2);

    const left = [];
    for await (const row of table.listEntities()) left.push(row.partitionKey);
    expect(left).toEqual(['new-delivery']);
  });
});
