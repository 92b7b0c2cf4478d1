import type { Container } from 'inversify';
import { invocationDestination } from '../adapters/pino/invocationDestination';
import { createPino, PinoLogger } from '../adapters/pino/PinoLogger';
import { currentInvocation } from '../functions/invocationScope';
import { buildContainer } from './buildContainer';
import { type Config, ConfigError, loadConfig } from './config';
import { loadConnectionSeeds } from './connectionSeeds';
import { TYPES } from './identifiers';
import { serviceBusConnectionProblem } from './modules/queueModule';
import { reportSeedOutcome, seedConnections } from './seedConnections';

let shared: Promise<Container> | undefined;

/**
 * Settings the one-process defaults get wrong under the Functions host: an in-memory queue nobody
 * consumes there, or an Azurite started inside the function app.
 */
export function checkFunctionsHostConfig(config: Config, env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  if (config.COMMAND_QUEUE !== 'service-bus')
    problems.push(
      'COMMAND_QUEUE: must be service-bus under the Functions host (the syncWorker trigger reads Service Bus)',
    );
  else {
    const serviceBus = serviceBusConnectionProblem(config, env);
    if (serviceBus !== null) problems.push(serviceBus);
  }
  if (config.METADATA_STORE === 'azure-tables' && !config.TABLES_ENDPOINT && !config.TABLES_CONNECTION_STRING) {
    problems.push(
      "TABLES_ENDPOINT: required under the Functions host: the account's Tables endpoint (https://<account>.table.core.windows.net), " +
        'signed in with the managed identity, or a connection string in TABLES_CONNECTION_STRING (Azurite); the embedded Azurite is for npm start',
    );
  }
  if (config.AUTH_MODE !== 'entra')
    problems.push(
      'AUTH_MODE: must be entra under the Functions host (the development identity is for npm start on loopback)',
    );
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * The process-wide container the Functions host's handlers resolve from, built on first use. A
 * failed start-up is forgotten, so the next call tries again instead of failing for the life of
 * the worker.
 */
export function getAppContainer(): Promise<Container> {
  if (shared !== undefined) return shared;
  const starting = (async () => {
    const config = loadConfig();
    checkFunctionsHostConfig(config);
    // Each line goes to the invocation it belongs to (its id and severity reach Application Insights).
    const invocationLogger = new PinoLogger(createPino(config.LOG_LEVEL, invocationDestination(currentInvocation)));
    const { container, logger, lifecycle } = await buildContainer(config, { logger: invocationLogger });
    try {
      reportSeedOutcome(
        await seedConnections(
          container.get(TYPES.MetadataRepo),
          await loadConnectionSeeds(config),
          container.get(TYPES.Clock),
        ),
        logger,
      );
    } catch (error) {
      await lifecycle.stopAll(); // the next call builds afresh
      throw error;
    }
    return container;
  })();
  shared = starting;
  starting.catch(() => {
    if (shared === starting) shared = undefined;
  });
  return starting;
}
