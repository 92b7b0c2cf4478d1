import { ServiceBusClient } from '@azure/service-bus';
import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { InProcessCommandQueue } from '../../adapters/in-process-queue/InProcessCommandQueue';
import { ServiceBusCommandConsumer } from '../../adapters/service-bus/ServiceBusCommandConsumer';
import { ServiceBusCommandQueue } from '../../adapters/service-bus/ServiceBusCommandQueue';
import type { Logger } from '../../ports/Logger';
import { ConfigError, type Config } from '../config';
import { TYPES } from '../identifiers';
import type { Lifecycle } from '../Lifecycle';

/** The in-process queue under its own type, for the local host and tests that wait for it to idle. */
export const IN_PROCESS_QUEUE: ServiceIdentifier<InProcessCommandQueue> = Symbol.for('workspace-sync.InProcessCommandQueue');

/** The CommandQueue (and the consumer the local host drains it with) chosen by COMMAND_QUEUE. */
export function queueModule(config: Config, env: NodeJS.ProcessEnv, logger: Logger, lifecycle: Lifecycle): ContainerModule {
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
        const connectionString = env[config.SERVICEBUS_CONNECTION_SETTING];
        if (!connectionString) {
          throw new ConfigError([`${config.SERVICEBUS_CONNECTION_SETTING}: COMMAND_QUEUE=service-bus needs the Service Bus connection string in this setting`]);
        }
        const client = new ServiceBusClient(connectionString);
        const queue = new ServiceBusCommandQueue(client, config.SYNC_QUEUE_NAME);
        bind(TYPES.CommandQueue).toConstantValue(queue);
        bind(TYPES.CommandConsumer).toConstantValue(new ServiceBusCommandConsumer(client, config.SYNC_QUEUE_NAME, logger));
        lifecycle.onStop('Service Bus client', async () => {
          await queue.close();
          await client.close();
        });
        break;
      }
    }
  });
}
