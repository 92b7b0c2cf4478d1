import type { TableEntity } from '@azure/data-tables';
import type { Scope } from '../../domain/shared/Scope';
import type { SyncTrigger } from '../../domain/sync/SyncCommand';
import { SYNC_TRIGGERS } from '../../domain/sync/SyncCommand';
import type {
  QueueOutcome,
  SkippedEntry,
  SyncRun,
  SyncRunCounts,
  SyncRunError,
  SyncRunStatus,
} from '../../domain/sync/SyncRun';
import type { EntityProperties } from './EntityFields';
import { CorruptEntityError, definedOnly, EntityReader } from './EntityFields';
import { encodeKeyPart, invertedTimeKey } from './TableKeys';

/**
 * Every run lives in one partition as three copies written by one transaction:
 * `i|<id>` for point reads by id, `t|<newest-first time>|<id>` for the global listing and
 * `s|<scope>|<newest-first time>|<id>` for the per-scope listing. Runs are few per minute, so one
 * partition is far from its throughput limit, and one partition is what makes the copies atomic.
 */
export const RUN_PARTITION = 'run';

export const runIdRowKey = (id: string): string => `i|${encodeKeyPart(id)}`;

/** The part after the listing prefix; also what a continuation token remembers. */
const runListingSuffix = (run: Pick<SyncRun, 'id' | 'startedAt'>): string =>
  `${invertedTimeKey(run.startedAt)}|${encodeKeyPart(run.id)}`;

export const runListingPrefix = (scope?: Scope): string => (scope === undefined ? 't|' : `s|${encodeKeyPart(scope)}|`);

const STATUSES: readonly SyncRunStatus[] = ['running', 'succeeded', 'noop', 'failed'];

// A string property holds at most 32K UTF-16 characters; lists are cut to stay well below that.
const LIST_BUDGET_CHARS = 30_000;
const ERROR_MESSAGE_CHARS = 4_000;

/** The longest prefix of `items` whose JSON array fits the budget. */
function boundedJsonArray<T>(items: readonly T[], budget = LIST_BUDGET_CHARS): { json: string; kept: number } {
  const parts: string[] = [];
  let length = 2; // the brackets
  for (const item of items) {
    const part = JSON.stringify(item);
    const added = part.length + (parts.length > 0 ? 1 : 0);
    if (length + added > budget) break;
    parts.push(part);
    length += added;
  }
  return { json: `[${parts.join(',')}]`, kept: parts.length };
}

/** The three rows of one run (same properties, different keys). */
export function runToEntities(run: SyncRun): TableEntity[] {
  const skipped = boundedJsonArray(run.skipped.map((entry) => ({ path: entry.path, reason: entry.reason })));
  const lfs = boundedJsonArray(run.lfsPointers);
  const error =
    run.error === undefined
      ? undefined
      : JSON.stringify({
          code: run.error.code.slice(0, 200),
          message: run.error.message.slice(0, ERROR_MESSAGE_CHARS),
          retryable: run.error.retryable,
        } satisfies SyncRunError);
  const properties = definedOnly({
    RunId: run.id,
    Scope: run.scope,
    Trigger: run.trigger,
    DeliveryId: run.deliveryId,
    Status: run.status,
    StartedAt: run.startedAt,
    FinishedAt: run.finishedAt,
    FromCommit: run.fromCommit,
    CommitSha: run.commitSha,
    Counts: JSON.stringify(run.counts),
    Skipped: skipped.json,
    SkippedTotal: run.skipped.length,
    LfsPointers: lfs.json,
    LfsPointersTotal: run.lfsPointers.length,
    SourceRequests: run.sourceRequests,
    Error: error,
    QueueOutcome: run.queueOutcome === undefined ? undefined : JSON.stringify(run.queueOutcome),
    BackupId: run.backupId,
  });
  const suffix = runListingSuffix(run);
  return [
    { partitionKey: RUN_PARTITION, rowKey: runIdRowKey(run.id), ...properties },
    { partitionKey: RUN_PARTITION, rowKey: `${runListingPrefix()}${suffix}`, ...properties },
    { partitionKey: RUN_PARTITION, rowKey: `${runListingPrefix(run.scope)}${suffix}`, ...properties },
  ];
}

export function runFromEntity(entity: EntityProperties): SyncRun {
  const read = new EntityReader(entity, 'Runs');
  const trigger = read.string('Trigger');
  if (!SYNC_TRIGGERS.includes(trigger as SyncTrigger))
    throw new CorruptEntityError('Runs', `unknown Trigger '${trigger}'`);
  const status = read.string('Status');
  if (!STATUSES.includes(status as SyncRunStatus)) throw new CorruptEntityError('Runs', `unknown Status '${status}'`);
  const errorJson = read.optionalString('Error');
  return {
    id: read.string('RunId'),
    scope: read.string('Scope') as Scope,
    trigger: trigger as SyncTrigger,
    deliveryId: read.string('DeliveryId'),
    status: status as SyncRunStatus,
    startedAt: read.date('StartedAt'),
    ...definedOnly({
      finishedAt: read.optionalDate('FinishedAt'),
      fromCommit: read.optionalString('FromCommit'),
      commitSha: read.optionalString('CommitSha'),
      error: errorJson === undefined ? undefined : read.json<SyncRunError>('Error'),
      queueOutcome:
        read.optionalString('QueueOutcome') === undefined ? undefined : read.json<QueueOutcome>('QueueOutcome'),
      backupId: read.optionalString('BackupId'),
    }),
    counts: read.json<SyncRunCounts>('Counts'),
    skipped: read.json<SkippedEntry[]>('Skipped'),
    lfsPointers: read.json<string[]>('LfsPointers'),
    sourceRequests: read.number('SourceRequests'),
  };
}
