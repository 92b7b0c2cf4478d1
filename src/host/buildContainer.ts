import 'reflect-metadata';
import { Container } from 'inversify';
import { createPino, PinoLogger } from '../adapters/pino/PinoLogger';
import type { Logger } from '../ports/Logger';
import { type AzureAccess, defaultAzureAccess } from './azureAccess';
import type { Config } from './config';
import { Lifecycle } from './Lifecycle';
import { apiModule } from './modules/apiModule';
import { connectionsModule } from './modules/connectionsModule';
import { coreModule } from './modules/coreModule';
import { fileStoreModule } from './modules/fileStoreModule';
import { githubModule } from './modules/githubModule';
import { metadataModule } from './modules/metadataModule';
import { queueModule } from './modules/queueModule';
import { secretsModule } from './modules/secretsModule';
import { syncModule } from './modules/syncModule';

export interface BuiltContainer {
  readonly container: Container;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
}

/** The composition root: one module per area, each port bound to the adapter the configuration names. */
export async function buildContainer(
  config: Config,
  options: { env?: NodeJS.ProcessEnv; logger?: Logger; azure?: AzureAccess } = {},
): Promise<BuiltContainer> {
  const logger = options.logger ?? new PinoLogger(createPino(config.LOG_LEVEL));
  // One credential for every identity-based client (Tables, Service Bus, Key Vault).
  const azure = options.azure ?? defaultAzureAccess();
  const lifecycle = new Lifecycle();
  const container = new Container({ defaultScope: 'Singleton' });
  try {
    container.load(
      coreModule(config, logger, lifecycle),
      await fileStoreModule(config, azure),
      await metadataModule(config, logger, lifecycle, azure),
      queueModule(config, options.env ?? process.env, logger, lifecycle, azure),
      secretsModule(config, options.env ?? process.env, azure),
      githubModule(config),
      syncModule(config),
      apiModule(config),
      connectionsModule(),
    );
  } catch (error) {
    await lifecycle.stopAll();
    throw error;
  }
  return { container, lifecycle, logger };
}
