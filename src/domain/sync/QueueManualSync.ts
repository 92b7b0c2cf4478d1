import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { IdGenerator } from '../../ports/IdGenerator';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from '../connections/ConnectionFailure';
import type { Scope } from '../shared/Scope';

/** Every code "sync now" can fail with: the result type and the route's documentation both derive from it. */
export const QUEUE_MANUAL_SYNC_FAILURES = [
  'NotConnected',
  'ConnectionDisabled',
] as const satisfies readonly ConnectionFailureCode[];

export type QueueManualSyncResult =
  | { readonly ok: true; readonly deliveryId: string }
  | ConnectionFailure<(typeof QUEUE_MANUAL_SYNC_FAILURES)[number]>;

/**
 * "Sync now": queues a manual sync of a connected, enabled scope under a fresh delivery id. A queue
 * fault is thrown (the caller answers 503 and the person tries again), unlike the syncs connecting
 * queues, where the change already stands.
 */
export class QueueManualSync {
  constructor(
    private readonly deps: {
      readonly metadata: ConnectionRepo;
      readonly queue: CommandQueue;
      readonly clock: Clock;
      readonly ids: IdGenerator;
    },
  ) {}

  async execute(scope: Scope): Promise<QueueManualSyncResult> {
    const connection = await this.deps.metadata.getConnection(scope);
    if (!connection) return failure('NotConnected', `${scope} is not connected to GitHub`);
    if (!connection.enabled)
      return failure('ConnectionDisabled', `the connection of ${scope} is disabled; enable it first`);
    const deliveryId = `manual:${this.deps.ids.newId()}`;
    await this.deps.queue.send({
      scope,
      trigger: 'manual',
      deliveryId,
      requestedAt: this.deps.clock.now().toISOString(),
    });
    return { ok: true, deliveryId };
  }
}
