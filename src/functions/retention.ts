import type { InvocationContext, Timer } from '@azure/functions';
import type { PruneHistory } from '../domain/sync/PruneHistory';
import { TYPES } from '../host/identifiers';
import type { Logger } from '../ports/Logger';
import type { TimerFunctionDefinition } from './definitions';

/** Daily at 03:17 UTC (NCRONTAB, seconds first): off the hour, when syncs are fewest. */
export const RETENTION_SCHEDULE = '0 17 3 * * *';

/** Deletes runs and dead-letter decisions (and earlier versions' webhook delivery rows) older than their retention (RUNS_RETENTION_DAYS, DELIVERIES_RETENTION_DAYS). */
function makeRetentionHandler(deps: { prune: PruneHistory; logger: Logger }) {
  return async (_timer: Timer | undefined, context: InvocationContext): Promise<void> => {
    const deleted = await deps.prune.execute();
    deps.logger.info({ invocationId: context.invocationId, deleted }, 'retention: old runs and deliveries deleted');
  };
}

/** The retention timer, daily on RETENTION_SCHEDULE (registered in src/host/functionsApp.ts). */
export const retentionFunction: TimerFunctionDefinition = {
  name: 'retention',
  build: (container) =>
    makeRetentionHandler({ prune: container.get(TYPES.PruneHistory), logger: container.get(TYPES.Logger) }),
};
