import { ContainerModule } from 'inversify';
import { RandomIdGenerator } from '../../adapters/system/RandomIdGenerator';
import { SystemClock } from '../../adapters/system/SystemClock';
import type { Logger } from '../../ports/Logger';
import type { Config } from '../config';
import { TYPES } from '../identifiers';
import type { Lifecycle } from '../Lifecycle';

/** Configuration, logging, time, new ids and the shutdown list: what every other module uses. */
export function coreModule(config: Config, logger: Logger, lifecycle: Lifecycle): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.Config).toConstantValue(config);
    bind(TYPES.Logger).toConstantValue(logger);
    bind(TYPES.Lifecycle).toConstantValue(lifecycle);
    bind(TYPES.Clock).toConstantValue(new SystemClock());
    bind(TYPES.IdGenerator).toConstantValue(new RandomIdGenerator());
  });
}
