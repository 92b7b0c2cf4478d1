import { describe, expect, it } from 'vitest';
import { connectionFromEntity, connectionToEntity } from '../../../src/adapters/azure-tables/ConnectionCodec';
import { CorruptEntityError } from '../../../src/adapters/azure-tables/EntityFields';
import type { Connection } from '../../../src/domain/connections/Connection';
import type { Scope } from '../../../src/domain/shared/Scope';

const connection: Connection = {
  scope: 'org-1' as Scope,
  repository: 'acme/scripts',
  branch: 'main',
  subPath: 'ops',
  tokenRef: 'github-token-org-1',
  webhookSecretRef: 'webhook-secret-org-1',
  enabled: true,
  webhook: { mode: 'automatic', id: 9_007_199_254_740_991 },
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-01-02T03:04:05.678Z'),
};

/** A row as written before connections had a webhook mode and timestamps. */
const legacyRow = {
  partitionKey: 'connection',
  rowKey: 'org-1',
  Scope: 'org-1',
  Repository: 'acme/scripts',
  Branch: 'main',
  SubPath: '',
  TokenRef: 'T',
  WebhookSecretRef: 'W',
  Enabled: true,
  LastSyncedCommit: 'a'.repeat(40),
};

describe('ConnectionCodec', () => {
  it('round-trips the webhook registration and the timestamps', () => {
    expect(connectionFromEntity(connectionToEntity(connection))).toStrictEqual(connection);
    const manual: Connection = { ...connection, webhook: { mode: 'manual' } };
    const row = connectionToEntity(manual);
    expect(row).not.toHaveProperty('WebhookId');
    expect(connectionFromEntity(row)).toStrictEqual(manual);
  });

  it('stores the hook id as decimal text, so ids past Int32 survive the table', () => {
    expect(connectionToEntity(connection)).toMatchObject({ WebhookMode: 'automatic', WebhookId: '9007199254740991' });
  });

  it("round-trips GitHub's repository id as decimal text, and reads a row without one as a connection matched by name", () => {
    const withId: Connection = { ...connection, repositoryId: 1_296_269 };
    expect(connectionToEntity(withId)).toMatchObject({ RepositoryId: '1296269' });
    expect(connectionFromEntity(connectionToEntity(withId))).toStrictEqual(withId);
    expect(connectionToEntity(connection)).not.toHaveProperty('RepositoryId');
    expect(connectionFromEntity(legacyRow)).not.toHaveProperty('repositoryId');
    expect(() => connectionFromEntity({ ...legacyRow, RepositoryId: '-1' })).toThrow(CorruptEntityError);
  });

  it('reads rows written before these fields existed as a manual webhook at an unknown time', () => {
    const read = connectionFromEntity(legacyRow);
    expect(read).toMatchObject({
      webhook: { mode: 'manual' },
      createdAt: new Date(0),
      updatedAt: new Date(0),
      lastSyncedCommit: 'a'.repeat(40),
    });
    read.createdAt.setTime(5);
    expect(connectionFromEntity(legacyRow).createdAt).toEqual(new Date(0));
  });

  it('refuses a row whose webhook fields make no sense', () => {
    expect(() => connectionFromEntity({ ...legacyRow, WebhookMode: 'magic' })).toThrow(CorruptEntityError);
    expect(() => connectionFromEntity({ ...legacyRow, WebhookMode: 'automatic' })).toThrow(CorruptEntityError);
    expect(() => connectionFromEntity({ ...legacyRow, WebhookMode: 'automatic', WebhookId: '12x' })).toThrow(
      CorruptEntityError,
    );
    expect(() =>
      connectionFromEntity({ ...legacyRow, WebhookMode: 'automatic', WebhookId: '99999999999999999999' }),
    ).toThrow(CorruptEntityError);
  });
});
