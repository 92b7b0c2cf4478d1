import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';

/**
 * Makes a client for one table. The repository only needs this seam, so a managed-identity factory
 * (`new TableClient(endpoint, table, credential)`) plugs in without touching it.
 */
export type TableClientFactory = (tableName: string) => TableClient;

/** Clients from an account connection string; HTTP allowed so Azurite on loopback works. */
export function tableClientsFromConnectionString(
  connectionString: string,
  options: TableServiceClientOptions = {},
): TableClientFactory {
  const isHttp = /TableEndpoint=http:\/\/|DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
  return (tableName) =>
    TableClient.fromConnectionString(connectionString, tableName, { ...options, allowInsecureConnection: isHttp });
}
