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
    withoutFormDataPolicy(
      TableClient.fromConnectionString(connectionString, tableName, { ...options, allowInsecureConnection: isHttp }),
    );
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
  return (tableName) => withoutFormDataPolicy(new TableClient(endpoint, tableName, credential, options));
}

/**
 * Tables never sends form data, but the SDK's form-data policy looks at every request body against
 * the global FormData, and that first look loads undici: 35–50 ms of CPU in a fresh process that
 * has no other use for it, such as a sync that runs first on a new instance (issue #10). Removed
 * by name, a public operation of the client's pipeline.
 */
function withoutFormDataPolicy(client: TableClient): TableClient {
  client.pipeline.removePolicy({ name: 'formDataPolicy' });
  return client;
}
