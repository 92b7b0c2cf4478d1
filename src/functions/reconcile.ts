import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { ReconcileConnections } from '../domain/ReconcileConnections';
import type { Logger } from '../ports/Logger';
import { getAppContainer } from '../host/appContainer';
import { loadConfig } from '../host/config';
import { TYPES } from '../host/identifiers';
import { insideFunctionsHost } from './definitions';

/** Queues a reconcile sync for every enabled connection: pushes whose webhooks never came still land. */
export function makeReconcileHandler(deps: { reconcile: ReconcileConnections; logger: Logger }) {
  return async (_timer: Timer | undefined, context: InvocationContext): Promise<void> => {
    const scopes = await deps.reconcile.execute();
    deps.logger.info({ invocationId: context.invocationId, scopes }, 'reconcile queued');
  };
}

/** NCRONTAB for "every N minutes" (Functions timer syntax: seconds first); whole hours use the hour field. */
export function reconcileSchedule(minutes: number): string {
  return minutes % 60 === 0 ? `0 0 */${minutes / 60} * * *` : `0 */${minutes} * * * *`;
}

if (insideFunctionsHost()) {
  const minutes = loadConfig().RECONCILE_INTERVAL_MINUTES;
  if (minutes > 0) {
    app.timer('reconcile', {
      schedule: reconcileSchedule(minutes),
      runOnStartup: false,
      handler: async (timer, context) => {
        const container = await getAppContainer();
        await makeReconcileHandler({ reconcile: container.get(TYPES.ReconcileConnections), logger: container.get(TYPES.Logger) })(timer, context);
      },
    });
  }
}
