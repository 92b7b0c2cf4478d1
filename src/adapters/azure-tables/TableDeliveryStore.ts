import type { TableClient } from '@azure/data-tables';
import type { Scope } from '../../domain/Scope';
import { isConflict, isNotFound, tableCall } from './TableErrors';
import { encodeKeyPart } from './TableKeys';

/**
 * Processed webhook deliveries, one partition per delivery id (spreads the load, and "insert if
 * absent" is a single create that answers 409 for a redelivery). Rows carry `At`, so a later cleanup
 * job may delete rows older than N days; GitHub redeliveries come within days, not months.
 */
export class TableDeliveryStore {
  constructor(private readonly table: TableClient) {}

  async record(deliveryId: string, scope: Scope, at: Date): Promise<boolean> {
    try {
      await tableCall('recordDelivery', () =>
        this.table.createEntity({
          partitionKey: encodeKeyPart(deliveryId),
          rowKey: 'delivery',
          DeliveryId: deliveryId.slice(0, 1_000),
          Scope: scope,
          At: at,
        }),
      );
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async forget(deliveryId: string): Promise<void> {
    try {
      await tableCall('forgetDelivery', () => this.table.deleteEntity(encodeKeyPart(deliveryId), 'delivery'));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
