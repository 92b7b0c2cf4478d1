import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { Connection } from '../../domain/connections/Connection';
import type { Scope } from '../../domain/shared/Scope';
import { CONNECTION_PARTITION, connectionFromEntity, connectionRowKey, connectionToEntity } from './ConnectionCodec';
import { isNotFound, tableCall } from './TableErrors';

/** Connections: partition `connection`, one row per scope, replaced whole on save. */
export class TableConnectionStore {
  constructor(private readonly table: TableClient) {}

  async get(scope: Scope): Promise<Connection | null> {
    try {
      const entity = await tableCall('getConnection', () =>
        this.table.getEntity(CONNECTION_PARTITION, connectionRowKey(scope)),
      );
      return connectionFromEntity(entity);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  list(): Promise<Connection[]> {
    return tableCall('listConnections', async () => {
      const connections: Connection[] = [];
      const queryOptions = { filter: odata`PartitionKey eq ${CONNECTION_PARTITION}` };
      for await (const entity of this.table.listEntities({ queryOptions }))
        connections.push(connectionFromEntity(entity));
      return connections;
    });
  }

  async save(connection: Connection): Promise<void> {
    // Replace (not Merge), so an optional field cleared in the domain is cleared in the row.
    await tableCall('saveConnection', () => this.table.upsertEntity(connectionToEntity(connection), 'Replace'));
  }

  async delete(scope: Scope): Promise<void> {
    try {
      await tableCall('deleteConnection', () => this.table.deleteEntity(CONNECTION_PARTITION, connectionRowKey(scope)));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
