import type { InvocationContext, Timer } from '@azure/functions';
import type { ReconcileConnections } from '../domain/connections/ReconcileConnections';
import { TYPES } from '../host/identifiers';
import type { Logger } from '../ports/Logger';
import type { TimerFunctionDefinition } from './definitions';

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

/** The reconcile timer, every RECONCILE_INTERVAL_MINUTES (see reconcileSchedule; registered in src/host/functionsApp.ts). */
export const reconcileFunction: TimerFunctionDefinition = {
  name: 'reconcile',
  build: (container) =>
    makeReconcileHandler({ reconcile: container.get(TYPES.ReconcileConnections), logger: container.get(TYPES.Logger) }),
};
