import type { TableClient, TableEntity, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { SyncRun } from '../../domain/sync/SyncRun';
import { MetadataUnavailableError } from '../../ports/MetadataRepo';
import type { RunPage, RunQuery } from '../../ports/SyncRunRepo';
import { RUN_PARTITION, runFromEntity, runIdRowKey, runListingPrefix, runToEntities } from './RunCodec';
import { decodeRunToken, encodeRunToken } from './RunContinuationToken';
import { isConflict, isNotFound, isPreconditionFailed, tableCall } from './TableErrors';
import { prefixUpperBound } from './TableKeys';

const MAX_ATTEMPTS = 5;
/** Three rows per run, and at most 100 actions per transaction. */
const RUNS_PER_DELETE_BATCH = 33;

/** Runs: see RunCodec for the three-rows-per-run layout. */
export class TableRunStore {
  constructor(private readonly table: TableClient) {}

  async save(run: SyncRun): Promise<void> {
    const [byId, byTime, byScope] = runToEntities(run) as [TableEntity, TableEntity, TableEntity];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const previous = await this.readById(run.id);
      const actions: TransactionAction[] = [
        previous === null ? ['create', byId] : ['update', byId, 'Replace', { etag: previous.etag }],
        ['upsert', byTime, 'Replace'],
        ['upsert', byScope, 'Replace'],
      ];
      if (previous !== null) {
        // startedAt or scope changed: the old listing rows would otherwise list a ghost.
        const [, oldTime, oldScope] = runToEntities(runFromEntity(previous));
        for (const old of [oldTime, oldScope]) {
          if (old !== undefined && old.rowKey !== byTime.rowKey && old.rowKey !== byScope.rowKey) {
            actions.push(['delete', { partitionKey: RUN_PARTITION, rowKey: old.rowKey }]);
          }
        }
      }
      try {
        await tableCall('saveRun', () => this.table.submitTransaction(actions));
        return;
      } catch (error) {
        if (!isConflict(error) && !isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    throw new MetadataUnavailableError(`saveRun: run ${run.id} kept changing under concurrent writers`);
  }

  async get(id: string): Promise<SyncRun | null> {
    const entity = await this.readById(id);
    return entity === null ? null : runFromEntity(entity);
  }

  async list(query: RunQuery): Promise<RunPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      throw new RangeError(`run page limit must be 1..100, got ${query.limit}`);
    }
    const prefix = runListingPrefix(query.scope);
    const upper = prefixUpperBound(prefix);
    let filter =
      query.continuationToken === undefined
        ? odata`PartitionKey eq ${RUN_PARTITION} and RowKey ge ${prefix} and RowKey lt ${upper}`
        : odata`PartitionKey eq ${RUN_PARTITION} and RowKey gt ${prefix + decodeRunToken(query.continuationToken)} and RowKey lt ${upper}`;
    if (query.status !== undefined) filter += odata` and Status eq ${query.status}`;

    // One more than asked: whether it exists decides if there is a next page.
    const wanted = query.limit + 1;
    const rows = await tableCall('listRuns', async () => {
      const found: TableEntityResult<Record<string, unknown>>[] = [];
      // With a property filter the service may answer short pages; keep reading until enough.
      for await (const page of this.table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: wanted })) {
        found.push(...page.slice(0, wanted - found.length));
        if (found.length >= wanted) break;
      }
      return found;
    });
    const pageRows = rows.slice(0, query.limit);
    const runs = pageRows.map((row) => runFromEntity(row));
    const last = pageRows[pageRows.length - 1];
    return rows.length > query.limit && last !== undefined
      ? { runs, continuationToken: encodeRunToken((last.rowKey as string).slice(prefix.length)) }
      : { runs };
  }

  /**
   * Walks the per-scope listing (`s|<scope>|<newest first>`), so the newest runs of each scope come
   * first and are kept; older ones started before `before` lose their three rows, up to 33 runs (99
   * rows, the transaction limit is 100) per transaction.
   */
  async deleteBefore(before: Date, keepNewestPerScope: number): Promise<number> {
    const prefix = 's|';
    const filter = odata`PartitionKey eq ${RUN_PARTITION} and RowKey ge ${prefix} and RowKey lt ${prefixUpperBound(prefix)}`;
    const doomed: SyncRun[] = [];
    await tableCall('deleteRunsBefore', async () => {
      const seenPerScope = new Map<string, number>();
      for await (const row of this.table.listEntities({ queryOptions: { filter } })) {
        const run = runFromEntity(row);
        const seen = (seenPerScope.get(run.scope) ?? 0) + 1;
        seenPerScope.set(run.scope, seen);
        if (seen > keepNewestPerScope && run.startedAt < before) doomed.push(run);
      }
    });
    for (let start = 0; start < doomed.length; start += RUNS_PER_DELETE_BATCH) {
      const batch = doomed.slice(start, start + RUNS_PER_DELETE_BATCH);
      const rowKeys = batch.flatMap((run) => runToEntities(run).map((entity) => entity.rowKey));
      try {
        await tableCall('deleteRunsBefore', () =>
          this.table.submitTransaction(rowKeys.map((rowKey) => ['delete', { partitionKey: RUN_PARTITION, rowKey }])),
        );
      } catch (error) {
        // A row already gone (another pruner, a run re-saved meanwhile) fails the whole batch: one by one then.
        if (!isNotFound(error)) throw error;
        for (const rowKey of rowKeys) {
          try {
            await tableCall('deleteRunsBefore', () => this.table.deleteEntity(RUN_PARTITION, rowKey));
          } catch (single) {
            if (!isNotFound(single)) throw single;
          }
        }
      }
    }
    return doomed.length;
  }

  private async readById(id: string): Promise<TableEntityResult<Record<string, unknown>> | null> {
    try {
      return await tableCall('getRun', () => this.table.getEntity(RUN_PARTITION, runIdRowKey(id)));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}
