import { ContainerModule } from 'inversify';
import { ConnectionCachingRepo } from '../../adapters/azure-tables/ConnectionCachingRepo';
import { tableClientsFromEndpoint } from '../../adapters/azure-tables/TableClientFactory';
import { TableMetadataRepo } from '../../adapters/azure-tables/TableMetadataRepo';
import { InMemoryMetadataRepo } from '../../adapters/in-memory/InMemoryMetadataRepo';
import type { Logger } from '../../ports/Logger';
import type { MetadataRepo } from '../../ports/MetadataRepo';
import { type AzureAccess, defaultAzureAccess } from '../azureAccess';
import type { Config } from '../config';
import { embeddedTablesFolder, startEmbeddedTables } from '../embeddedTables';
import { TYPES } from '../identifiers';
import type { Lifecycle } from '../Lifecycle';

/**
 * The MetadataRepo chosen by METADATA_STORE. Azure Tables through TABLES_ENDPOINT signs in with the
 * identity; through TABLES_CONNECTION_STRING with the key it holds (Azurite); with neither it is the
 * embedded Azurite, persisted under DATA_DIR, so `npm start` needs no account.
 */
export async function metadataModule(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  azure: AzureAccess = defaultAzureAccess(),
): Promise<ContainerModule> {
  let repo: MetadataRepo;
  if (config.METADATA_STORE === 'in-memory') {
    repo = new InMemoryMetadataRepo();
  } else if (config.TABLES_ENDPOINT) {
    // Identity, not keys: the managed identity in Azure (see azureAccess.ts).
    const clientFactory = tableClientsFromEndpoint(config.TABLES_ENDPOINT, azure.credential(), azure.tablesOptions);
    const tables = new TableMetadataRepo({ clientFactory, tablePrefix: config.TABLES_PREFIX });
    await tables.ensureTables();
    repo = tables;
  } else {
    let connectionString = config.TABLES_CONNECTION_STRING;
    if (!connectionString) {
      const persistencePath = embeddedTablesFolder(config);
      const azurite = await startEmbeddedTables(persistencePath);
      lifecycle.onStop('embedded Azurite', () => azurite.stop());
      logger.info({ port: azurite.port, persistencePath }, 'embedded Azurite (Tables) started');
      connectionString = azurite.connectionString;
    }
    const tables = new TableMetadataRepo({ connectionString, tablePrefix: config.TABLES_PREFIX });
    await tables.ensureTables();
    repo = tables;
  }
  // Tables: the webhook's connection look-up is cached (one round trip fewer per delivery); every
  // connection write in this process goes through the cache and forgets it.
  const cached =
    config.METADATA_STORE === 'azure-tables' && config.CONNECTION_CACHE_SECONDS > 0
      ? new ConnectionCachingRepo(repo, { ttlMs: config.CONNECTION_CACHE_SECONDS * 1000 })
      : null;
  // Bind every port over the store to `store`, never to `repo`: a connection written past the cache
  // would not be forgotten (test/api/webhookConnectionCache.int.test.ts).
  const store = cached ?? repo;
  return new ContainerModule(({ bind }) => {
    bind(TYPES.MetadataRepo).toConstantValue(store);
    bind(TYPES.ConnectionLookup).toConstantValue(
      cached ? { getConnection: (scope) => cached.cachedConnection(scope) } : repo,
    );
  });
}
