import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { Scope } from '../shared/Scope';
import type { SyncTrigger } from './SyncCommand';

/** Whether a sync was queued; when queueing failed the change stands and the next reconcile syncs. */
export type SyncRequest =
  | { readonly queued: true; readonly deliveryId: string }
  | { readonly queued: false; readonly reason: string };

/** Queues a sync of the scope under a fresh delivery id; a queue fault is reported, not thrown. */
export async function requestSync(
  deps: { readonly queue: CommandQueue; readonly clock: Clock; readonly ids: IdGenerator },
  scope: Scope,
  trigger: SyncTrigger,
): Promise<SyncRequest> {
  const { queue, clock } = deps;
  const deliveryId = `${trigger}-${deps.ids.newId()}`;
  try {
    await queue.send({ scope, trigger, deliveryId, requestedAt: clock.now().toISOString() });
    return { queued: true, deliveryId };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      queued: false,
      reason: `the sync could not be queued (${detail}); the next scheduled reconcile will sync the scope`,
    };
  }
}
