import type { Container } from 'inversify';
import { buildContainer } from './buildContainer';
import { ConfigError, loadConfig, type Config } from './config';
import { loadConnectionSeeds } from './connectionSeeds';
import { TYPES } from './identifiers';
import { seedConnections } from './seedConnections';

let shared: Promise<Container> | undefined;

/**
 * Settings the one-process defaults get wrong under the Functions host: an in-memory queue nobody
 * consumes there, or an Azurite started inside the function app.
 */
export function checkFunctionsHostConfig(config: Config): void {
  const problems: string[] = [];
  if (config.COMMAND_QUEUE !== 'service-bus') problems.push('COMMAND_QUEUE: must be service-bus under the Functions host (the syncWorker trigger reads Service Bus)');
  if (config.METADATA_STORE === 'azure-tables' && !config.TABLES_CONNECTION_STRING) {
    problems.push('TABLES_CONNECTION_STRING: required under the Functions host (the embedded Azurite is for npm start)');
  }
  if (config.AUTH_MODE !== 'entra') problems.push('AUTH_MODE: must be entra under the Functions host (the development identity is for npm start on loopback)');
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The process-wide container the Functions host's handlers resolve from, built on first use. */
export function getAppContainer(): Promise<Container> {
  shared ??= (async () => {
    const config = loadConfig();
    checkFunctionsHostConfig(config);
    const { container } = await buildContainer(config);
    await seedConnections(container.get(TYPES.MetadataRepo), await loadConnectionSeeds(config));
    return container;
  })();
  return shared;
}
