import type { ServiceBusClient } from '@azure/service-bus';
import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { InProcessCommandQueue } from '../../adapters/in-process-queue/InProcessCommandQueue';
import { ServiceBusCommandConsumer } from '../../adapters/service-bus/ServiceBusCommandConsumer';
import { ServiceBusCommandQueue } from '../../adapters/service-bus/ServiceBusCommandQueue';
import type { Logger } from '../../ports/Logger';
import { type AzureAccess, defaultAzureAccess } from '../azureAccess';
import { type Config, ConfigError } from '../config';
import { TYPES } from '../identifiers';
import type { Lifecycle } from '../Lifecycle';

/** The in-process queue under its own type, for the local host and tests that wait for it to idle. */
export const IN_PROCESS_QUEUE: ServiceIdentifier<InProcessCommandQueue> = Symbol.for(
  'workspace-sync.InProcessCommandQueue',
);

/** The CommandQueue (and the consumer the local host drains it with) chosen by COMMAND_QUEUE. */
export function queueModule(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  lifecycle: Lifecycle,
  azure: AzureAccess = defaultAzureAccess(),
): ContainerModule {
  return new ContainerModule(({ bind }) => {
    switch (config.COMMAND_QUEUE) {
      case 'in-process': {
        const queue = new InProcessCommandQueue({
          duplicateWindowMs: config.QUEUE_DUPLICATE_WINDOW_SECONDS * 1000,
          maxDeliveryCount: config.QUEUE_MAX_DELIVERY_COUNT,
          retryBaseMs: config.QUEUE_RETRY_BASE_MS,
        });
        bind(IN_PROCESS_QUEUE).toConstantValue(queue);
        bind(TYPES.CommandQueue).toConstantValue(queue);
        bind(TYPES.CommandConsumer).toConstantValue(queue);
        break;
      }
      case 'service-bus': {
        const client = serviceBusClient(config, env, azure);
        const queue = new ServiceBusCommandQueue(client, config.SYNC_QUEUE_NAME);
        bind(TYPES.CommandQueue).toConstantValue(queue);
        bind(TYPES.CommandConsumer).toConstantValue(
          new ServiceBusCommandConsumer(client, config.SYNC_QUEUE_NAME, logger),
        );
        lifecycle.onStop('Service Bus client', async () => {
          await queue.close();
          await client.close();
        });
        break;
      }
    }
  });
}

/**
 * The settings the Functions Service Bus binding reads for the connection named by
 * SERVICEBUS_CONNECTION_SETTING, in its two forms: identity-based (`<name>__fullyQualifiedNamespace`,
 * `<name>.servicebus.windows.net`) or a connection string in `<name>` itself (the emulator, keys).
 */
function serviceBusConnectionSettings(config: Config): {
  readonly namespace: string;
  readonly connectionString: string;
} {
  return {
    namespace: `${config.SERVICEBUS_CONNECTION_SETTING}__fullyQualifiedNamespace`,
    connectionString: config.SERVICEBUS_CONNECTION_SETTING,
  };
}

/** Whether `env` holds either form of the Service Bus connection; else the problem, naming both settings. */
export function serviceBusConnectionProblem(config: Config, env: NodeJS.ProcessEnv): string | null {
  const settings = serviceBusConnectionSettings(config);
  if (env[settings.namespace] || env[settings.connectionString]) return null;
  return missingConnection(settings);
}

function missingConnection(settings: ReturnType<typeof serviceBusConnectionSettings>): string {
  return (
    `${settings.namespace}: COMMAND_QUEUE=service-bus needs the namespace (<name>.servicebus.windows.net, signed in with the managed identity) ` +
    `in this setting, or a connection string in ${settings.connectionString} (the emulator)`
  );
}

/** A client in the form the settings give; the connection string wins when both are set, as in the Functions binding. */
export function serviceBusClient(config: Config, env: NodeJS.ProcessEnv, azure: AzureAccess): ServiceBusClient {
  const settings = serviceBusConnectionSettings(config);
  const connectionString = env[settings.connectionString];
  const namespace = env[settings.namespace];
  // Loaded only when chosen (the adapters above import its types only): the SDK is a large part of a start that does not use it.
  const { ServiceBusClient } = require('@azure/service-bus') as typeof import('@azure/service-bus');
  if (connectionString) return new ServiceBusClient(connectionString);
  if (namespace) return new ServiceBusClient(namespace, azure.credential());
  throw new ConfigError([missingConnection(settings)]);
}
