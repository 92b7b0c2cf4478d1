import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { ReconcileConnections } from '../domain/ReconcileConnections';
import type { Logger } from '../ports/Logger';
import { TYPES } from '../host/identifiers';
import { insideFunctionsHost, lazily } from './definitions';
import { settingForRegistration } from './startup';

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
  // Read on its own: a configuration error must not stop the registration (see startup.ts).
  const minutes = settingForRegistration('RECONCILE_INTERVAL_MINUTES');
  if (minutes > 0) {
    app.timer('reconcile', {
      schedule: reconcileSchedule(minutes),
      runOnStartup: false,
      handler: lazily((container) => makeReconcileHandler({ reconcile: container.get(TYPES.ReconcileConnections), logger: container.get(TYPES.Logger) })),
    });
  }
}
