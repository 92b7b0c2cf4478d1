import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ContainerModule } from 'inversify';
import { EmbeddedAzurite } from '../../adapters/azure-tables/EmbeddedAzurite';
import { TableMetadataRepo } from '../../adapters/azure-tables/TableMetadataRepo';
import { InMemoryMetadataRepo } from '../../adapters/in-memory/InMemoryMetadataRepo';
import type { Logger } from '../../ports/Logger';
import type { MetadataRepo } from '../../ports/MetadataRepo';
import type { Config } from '../config';
import { TYPES } from '../identifiers';
import type { Lifecycle } from '../Lifecycle';

/**
 * The MetadataRepo chosen by METADATA_STORE. Azure Tables without a connection string means the
 * embedded Azurite, persisted under DATA_DIR, so `npm start` needs no account.
 */
export async function metadataModule(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<ContainerModule> {
  let repo: MetadataRepo;
  if (config.METADATA_STORE === 'in-memory') {
    repo = new InMemoryMetadataRepo();
  } else {
    let connectionString = config.TABLES_CONNECTION_STRING;
    if (!connectionString) {
      const persistencePath = resolve(config.dataDir, 'azurite');
      await mkdir(persistencePath, { recursive: true });
      const azurite = await EmbeddedAzurite.start({ persistencePath });
      lifecycle.onStop('embedded Azurite', () => azurite.stop());
      logger.info({ port: azurite.port, persistencePath }, 'embedded Azurite (Tables) started');
      connectionString = azurite.connectionString;
    }
    const tables = new TableMetadataRepo({ connectionString, tablePrefix: config.TABLES_PREFIX });
    await tables.ensureTables();
    repo = tables;
  }
  return new ContainerModule(({ bind }) => {
    bind(TYPES.MetadataRepo).toConstantValue(repo);
  });
}
