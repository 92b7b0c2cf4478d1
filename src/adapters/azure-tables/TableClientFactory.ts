import type { TableServiceClientOptions } from '@azure/data-tables';
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

/**
 * Makes a client for one table: from a connection string (Azurite, account keys) or from an
 * endpoint and a token credential (managed identity).
 */
export type TableClientFactory = (tableName: string) => TableClient;

/** Clients from an account connection string; HTTP allowed so Azurite on loopback works. */
export function tableClientsFromConnectionString(
  connectionString: string,
  options: TableServiceClientOptions = {},
): TableClientFactory {
  const isHttp = /TableEndpoint=http:\/\/|DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(
    connectionString,
  );
  return (tableName) =>
    TableClient.fromConnectionString(connectionString, tableName, { ...options, allowInsecureConnection: isHttp });
}

/**
 * Clients for the account at `endpoint` (https://<account>.table.core.windows.net) signed in with
 * `credential` (Entra ID: the managed identity in Azure), no account key involved. The SDK sends
 * bearer tokens over HTTPS only.
 */
export function tableClientsFromEndpoint(
  endpoint: string,
  credential: TokenCredential,
  options: TableServiceClientOptions = {},
): TableClientFactory {
  return (tableName) => new TableClient(endpoint, tableName, credential, options);
}
