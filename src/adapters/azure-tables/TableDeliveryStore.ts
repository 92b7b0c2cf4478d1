import { odata, type TableClient } from '@azure/data-tables';
import type { DeadLetterDecision } from '../../ports/DeliveryRepo';
import { EntityReader } from './EntityFields';
import { isNotFound, tableCall } from './TableErrors';
import { encodeKeyPart } from './TableKeys';

const DEAD_LETTER_ROW = 'dead-letter';
/** Service Bus caps a dead-letter description at 4096 characters; so do we. */
const MAX_DESCRIPTION = 4_096;
/** Deletes in flight at once while pruning (each row is its own partition: no batch transaction). */
const DELETE_CONCURRENCY = 16;

/**
 * The dead-letter decisions of queue messages, one partition per message id. Rows carry `At`, so
 * retention deletes rows older than N days (a dead-lettered message is redelivered within minutes).
 * Earlier versions also recorded every webhook delivery here (one partition per delivery id, one
 * row per scope); the queue's duplicate detection does that job now, and retention prunes those
 * rows like the others.
 */
export class TableDeliveryStore {
  constructor(private readonly table: TableClient) {}

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
