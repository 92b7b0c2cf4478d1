import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { Scope } from '../../domain/shared/Scope';
import type { DeadLetterDecision } from '../../ports/DeliveryRepo';
import { EntityReader } from './EntityFields';
import { isConflict, isNotFound, tableCall } from './TableErrors';
import { encodeKeyPart } from './TableKeys';

// A webhook delivery is one row per receiving scope: GitHub gives every hook of one event the same
// delivery id. `scope|` cannot be spelled by the dead-letter row key, nor by rows written before
// deliveries were keyed by scope (`delivery`): those are simply not seen as duplicates any more.
const deliveryRowKey = (scope: Scope): string => `scope|${encodeKeyPart(scope)}`;
const DEAD_LETTER_ROW = 'dead-letter';
/** Service Bus caps a dead-letter description at 4096 characters; so do we. */
const MAX_DESCRIPTION = 4_096;
/** Deletes in flight at once while pruning (each row is its own partition: no batch transaction). */
const DELETE_CONCURRENCY = 16;

/**
 * Processed webhook deliveries, one partition per delivery id (spreads the load, and "insert if
 * absent" is a single create that answers 409 for a redelivery) and one row per scope in it; and
 * the dead-letter decisions of queue messages, one partition per message id. Rows carry `At`, so a
 * later cleanup job may delete rows older than N days: GitHub redeliveries come within days, and a
 * dead-lettered message is redelivered within minutes.
 */
export class TableDeliveryStore {
  constructor(private readonly table: TableClient) {}

  async record(deliveryId: string, scope: Scope, at: Date): Promise<boolean> {
    // The SDK retries a create whose answer was lost (reset, timeout, 5xx); the retry then meets our own
    // row with a 409. The attempt's mark tells that apart from a redelivery, which would otherwise be
    // answered "duplicate" and never queued.
    const attempt = randomUUID();
    try {
      await tableCall('recordDelivery', () =>
        this.table.createEntity({
          partitionKey: encodeKeyPart(deliveryId),
          rowKey: deliveryRowKey(scope),
          DeliveryId: deliveryId.slice(0, 1_000),
          Scope: scope,
          At: at,
          Attempt: attempt,
        }),
      );
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
      return this.recordedBy(deliveryId, scope, attempt);
    }
  }

  /** Whether the delivery's row is the one `attempt` wrote (read only on a conflict: a redelivery, or our own retry). */
  private async recordedBy(deliveryId: string, scope: Scope, attempt: string): Promise<boolean> {
    try {
      const row = await tableCall('recordDelivery', () =>
        this.table.getEntity<{ Attempt?: unknown }>(encodeKeyPart(deliveryId), deliveryRowKey(scope), {
          queryOptions: { select: ['Attempt'] },
        }),
      );
      return row.Attempt === attempt;
    } catch (error) {
      if (isNotFound(error)) return false; // forgotten since (its queue send failed): GitHub redelivers
      throw error;
    }
  }

  async forget(deliveryId: string, scope: Scope): Promise<void> {
    try {
      await tableCall('forgetDelivery', () =>
        this.table.deleteEntity(encodeKeyPart(deliveryId), deliveryRowKey(scope)),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Deletes delivery and dead-letter rows whose `At` is before `before`; each sits in its own partition, so one by one. */
  async deleteBefore(before: Date): Promise<number> {
    const filter = odata`At lt ${before}`;
    let deleted = 0;
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
    });
    await tableCall('deleteDeliveriesBefore', async () => {
      // The deletes never reject (a failure is kept and thrown at the next flush): one that failed
      // while the next page was being read would otherwise be an unhandled rejection.
      const batch: Promise<void>[] = [];
      let failure: unknown = null;
      const flush = async () => {
        await Promise.all(batch.splice(0));
        if (failure !== null) throw failure;
      };
      for await (const row of rows) {
        batch.push(
          this.table.deleteEntity(String(row.partitionKey), String(row.rowKey)).then(
            () => {
              deleted += 1;
            },
            (error: unknown) => {
              if (!isNotFound(error)) failure ??= error;
            },
          ),
        );
        if (batch.length >= DELETE_CONCURRENCY) await flush();
      }
      await flush();
    });
    return deleted;
  }

  async recordDeadLetter(messageId: string, decision: DeadLetterDecision): Promise<void> {
    await tableCall('recordDeadLetterDecision', () =>
      this.table.upsertEntity(
        {
          partitionKey: messagePartition(messageId),
          rowKey: DEAD_LETTER_ROW,
          MessageId: messageId.slice(0, 1_000),
          Reason: decision.reason.slice(0, 1_000),
          Description: decision.description.slice(0, MAX_DESCRIPTION),
          At: decision.at,
        },
        'Replace',
      ),
    );
  }

  async deadLetter(messageId: string): Promise<DeadLetterDecision | null> {
    try {
      const entity = await tableCall('getDeadLetterDecision', () =>
        this.table.getEntity(messagePartition(messageId), DEAD_LETTER_ROW),
      );
      const read = new EntityReader(entity, 'Deliveries');
      return { reason: read.string('Reason'), description: read.string('Description'), at: read.date('At') };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** `message|` keeps message partitions apart from delivery partitions (an encoded part never holds '|'). */
function messagePartition(messageId: string): string {
  return `message|${encodeKeyPart(messageId)}`;
}
