import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { Scope } from '../shared/Scope';

/**
 * Queues a reconcile sync for every enabled connection, so pushes whose webhooks never arrived (or
 * arrived while the service was down) are still picked up.
 */
export class ReconcileConnections {
  constructor(
    private readonly deps: { readonly metadata: ConnectionRepo; readonly queue: CommandQueue; readonly clock: Clock },
  ) {}

  async execute(): Promise<Scope[]> {
    const { metadata, queue, clock } = this.deps;
    const queued: Scope[] = [];
    for (const connection of await metadata.listConnections()) {
      if (!connection.enabled) continue;
      const now = clock.now();
      await queue.send({
        scope: connection.scope,
        trigger: 'reconcile',
        deliveryId: `reconcile-${connection.scope}-${now.getTime()}`,
        requestedAt: now.toISOString(),
      });
      queued.push(connection.scope);
    }
    return queued;
  }
}
