import type { Container } from 'inversify';
import { GLOBAL_SCOPE } from '../domain/shared/Scope';
import { TYPES } from '../host/identifiers';
import type { CommandQueue } from '../ports/CommandQueue';
import type { ConnectionRepo } from '../ports/ConnectionRepo';
import type { Logger } from '../ports/Logger';
import type { SecretStore } from '../ports/SecretStore';
import type { WarmupFunctionDefinition } from './definitions';

export interface WarmUpDeps {
  readonly queue: CommandQueue;
  /** The webhook's own connection look-up (cached where the store is Azure Tables). */
  readonly connections: Pick<ConnectionRepo, 'getConnection'>;
  readonly secrets: SecretStore;
  readonly logger: Logger;
}

/**
 * Walks a webhook's path once without sending anything, so that a new instance's first webhooks do
 * not wait for what a first call opens: the request classes loaded, the GLOBAL scope's connection
 * looked up and its webhook secret read (the stores' clients, their identity tokens), and the
 * command queue's link opened.
 * Measured on the local host with the Service Bus peer, the first 32 webhooks of a fresh process
 * answered in about 100 ms instead of 200 ms (bench/RESULTS.md). Never fails: whatever is not
 * reachable yet is opened by the first webhook, as without the warm-up.
 */
export async function warmUp(deps: WarmUpDeps): Promise<void> {
  const started = performance.now();
  const steps = await Promise.allSettled([
    // HTTP triggers build each request on the global Request, whose implementation (undici, with web
    // streams) Node loads on first use: 20–30 ms that the first webhooks would otherwise share.
    Promise.resolve().then(() => new Request('http://localhost/', { method: 'POST', body: '{}' })),
    deps.queue.open(),
    (async () => {
      const connection = await deps.connections.getConnection(GLOBAL_SCOPE);
      if (connection) await deps.secrets.get(connection.webhookSecretRef);
    })(),
  ]);
  const errors = steps.flatMap((step) => (step.status === 'rejected' ? [String(step.reason)] : []));
  if (errors.length > 0)
    deps.logger.warn({ errors }, 'warm-up: not everything was reachable; the first webhook opens the rest');
  else deps.logger.info({ ms: Math.round(performance.now() - started) }, 'warm-up: webhook path ready');
}

/** What the warm-up uses, as the webhook function resolves it. */
export function warmUpDeps(container: Container): WarmUpDeps {
  return {
    queue: container.get(TYPES.CommandQueue),
    connections: container.get(TYPES.ConnectionLookup),
    secrets: container.get(TYPES.SecretStore),
    logger: container.get(TYPES.Logger),
  };
}

/**
 * The warmup trigger (src/host/functionsApp.ts). On a Premium plan the Functions host runs it on each
 * instance a scale-out adds, before the instance takes traffic; never on restarts, so nothing may
 * depend on it: every client still opens on first use.
 */
export const warmupFunction: WarmupFunctionDefinition = {
  // The host finds the trigger by this name.
  name: 'warmup',
  build: (container) => {
    const deps = warmUpDeps(container);
    return () => warmUp(deps);
  },
};
