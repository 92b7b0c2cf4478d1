import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { InProcessCommandQueue } from '../../adapters/in-process-queue/InProcessCommandQueue';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The in-process queue under its own type, for the local host that drains it into the worker. */
export const IN_PROCESS_QUEUE: ServiceIdentifier<InProcessCommandQueue> = Symbol.for('workspace-sync.InProcessCommandQueue');

/** The CommandQueue chosen by COMMAND_QUEUE. */
export function queueModule(config: Config): ContainerModule {
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
        break;
      }
    }
  });
}
