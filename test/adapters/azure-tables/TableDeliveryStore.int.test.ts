import { afterEach, describe, expect, it } from 'vitest';
import { TableMetadataRepo } from '../../../src/adapters/azure-tables/TableMetadataRepo';
import type { Scope } from '../../../src/domain/shared/Scope';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';
import { type LostAnswerProxy, startLostAnswerProxy } from '../../support/lostAnswerProxy';

const azurite = useAzurite();
const SCOPE = 'org-lost-answer' as Scope;
let proxy: LostAnswerProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('TableDeliveryStore on Azurite', () => {
  it('counts a delivery as recorded when the SDK retried an insert whose answer was lost, and a redelivery still as a duplicate', async () => {
    const tablePrefix = uniqueTablePrefix();
    await new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix }).ensureTables();
    proxy = await startLostAnswerProxy(azurite.port, 'POST');
    const throughProxy = new TableMetadataRepo({
      connectionString: azurite.connectionString.replace(`:${azurite.port}/`, `:${proxy.port}/`),
      tablePrefix,
      clientOptions: { retryOptions: { retryDelayInMs: 10, maxRetries: 2 } },
    });
    const at = new Date('2026-12-05T12:00:00Z');

    await expect(throughProxy.recordDelivery('lost-answer-1', SCOPE, at)).resolves.toBe(true);
    expect(proxy.lostAnswers).toBe(1);
    await expect(throughProxy.recordDelivery('lost-answer-1', SCOPE, at)).resolves.toBe(false);
  });
});
