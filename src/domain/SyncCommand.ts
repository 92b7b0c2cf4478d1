import type { Scope } from './Scope';

/** Why a sync was asked for. `lease-check` is the follow-up a busy scope schedules for itself. */
export type SyncTrigger = 'push' | 'connect' | 'manual' | 'reconcile' | 'replay' | 'lease-check';

export const SYNC_TRIGGERS: readonly SyncTrigger[] = ['push', 'connect', 'manual', 'reconcile', 'replay', 'lease-check'];

/**
 * "Bring scope S up to date". A trigger, not an instruction: the worker syncs to the head it reads
 * itself, so `commitSha` is informative only.
 */
export interface SyncCommand {
  readonly scope: Scope;
  readonly trigger: SyncTrigger;
  /** GitHub delivery id for pushes; otherwise a generated id. Also the queue message id. */
  readonly deliveryId: string;
  readonly commitSha?: string;
  readonly requestedAt: string;
  /** Attempt number, starting at 1; the queue adapter may carry it across retries. */
  readonly attempt?: number;
}

/**
 * The command in a queue message body (an object, or its JSON as text or bytes) when it has a
 * command's shape, else null. The worker validates fully; this is for listing and replaying.
 */
export function readSyncCommand(body: unknown): SyncCommand | null {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const { scope, trigger, deliveryId } = value as Record<string, unknown>;
  return typeof scope === 'string' && typeof deliveryId === 'string' && SYNC_TRIGGERS.includes(trigger as SyncTrigger) ? (value as SyncCommand) : null;
}

/** The command a dead letter is replayed as: a `replay` trigger starting again at attempt 1. */
export function replayCommand(command: SyncCommand): SyncCommand {
  const { attempt: _attempt, ...fresh } = command;
  return { ...fresh, trigger: 'replay' };
}

/** A new message id for a replay, so duplicate detection never drops it. */
export function replayMessageId(): string {
  return `replay-${globalThis.crypto.randomUUID()}`;
}
