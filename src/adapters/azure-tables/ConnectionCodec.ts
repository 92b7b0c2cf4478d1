import type { TableEntity } from '@azure/data-tables';
import type { Connection, SyncOutcome, WebhookRegistration } from '../../domain/connections/Connection';
import type { Scope } from '../../domain/shared/Scope';
import type { EntityProperties } from './EntityFields';
import { CorruptEntityError, definedOnly, EntityReader } from './EntityFields';
import { encodeKeyPart } from './TableKeys';

/** All connections share one partition: there are few, and listing them is one query. */
export const CONNECTION_PARTITION = 'connection';

export const connectionRowKey = (scope: Scope): string => encodeKeyPart(scope);

const OUTCOMES: readonly SyncOutcome[] = ['succeeded', 'failed', 'noop'];

export function connectionToEntity(connection: Connection): TableEntity {
  return definedOnly({
    partitionKey: CONNECTION_PARTITION,
    rowKey: connectionRowKey(connection.scope),
    Scope: connection.scope,
    Repository: connection.repository,
    // Decimal text, as for WebhookId: repository ids outgrow Int32.
    RepositoryId: connection.repositoryId === undefined ? undefined : String(connection.repositoryId),
    Branch: connection.branch,
    SubPath: connection.subPath,
    TokenRef: connection.tokenRef,
    WebhookSecretRef: connection.webhookSecretRef,
    Enabled: connection.enabled,
    WebhookMode: connection.webhook.mode,
    // Decimal text: hook ids outgrow Int32, and an untyped number would be stored as one or a Double.
    WebhookId: connection.webhook.mode === 'automatic' ? String(connection.webhook.id) : undefined,
    Source: connection.source,
    CreatedAt: connection.createdAt,
    UpdatedAt: connection.updatedAt,
    LastSyncedCommit: connection.lastSyncedCommit,
    LastSyncOutcome: connection.lastSyncOutcome,
    LastSyncAt: connection.lastSyncAt,
    BranchDeletedAt: connection.branchDeletedAt,
  });
}

export function connectionFromEntity(entity: EntityProperties): Connection {
  const read = new EntityReader(entity, 'Connections');
  const outcome = read.optionalString('LastSyncOutcome');
  if (outcome !== undefined && !OUTCOMES.includes(outcome as SyncOutcome)) {
    throw new CorruptEntityError('Connections', `unknown LastSyncOutcome '${outcome}'`);
  }
  const source = read.optionalString('Source');
  if (source !== undefined && source !== 'configuration')
    throw new CorruptEntityError('Connections', `unknown Source '${source}'`);
  const optional = definedOnly({
    source: source as 'configuration' | undefined,
    repositoryId: readRepositoryId(read),
    lastSyncedCommit: read.optionalString('LastSyncedCommit'),
    lastSyncOutcome: outcome as SyncOutcome | undefined,
    lastSyncAt: read.optionalDate('LastSyncAt'),
    branchDeletedAt: read.optionalDate('BranchDeletedAt'),
  });
  return {
    scope: read.string('Scope') as Scope,
    repository: read.string('Repository'),
    branch: read.string('Branch'),
    subPath: read.string('SubPath'),
    tokenRef: read.string('TokenRef'),
    webhookSecretRef: read.string('WebhookSecretRef'),
    enabled: read.boolean('Enabled'),
    webhook: readWebhook(read),
    // Rows written before these fields existed: a manual webhook, times unknown.
    createdAt: read.optionalDate('CreatedAt') ?? new Date(0),
    updatedAt: read.optionalDate('UpdatedAt') ?? new Date(0),
    ...optional,
  };
}

function readRepositoryId(read: EntityReader): number | undefined {
  const text = read.optionalString('RepositoryId');
  if (text === undefined) return undefined;
  const id = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(id))
    throw new CorruptEntityError('Connections', `RepositoryId '${text}' is not a repository id`);
  return id;
}

function readWebhook(read: EntityReader): WebhookRegistration {
  const mode = read.optionalString('WebhookMode') ?? 'manual';
  if (mode === 'manual') return { mode };
  if (mode !== 'automatic') throw new CorruptEntityError('Connections', `unknown WebhookMode '${mode}'`);
  const text = read.string('WebhookId');
  const id = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(id))
    throw new CorruptEntityError('Connections', `WebhookId '${text}' is not a hook id`);
  return { mode, id };
}
