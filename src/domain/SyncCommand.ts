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
  /**
   * GitHub delivery id for pushes (one per event, shared by every hook of it); otherwise a generated
   * id. The queue message id is built from it and the scope: see `commandMessageId`.
   */
  readonly deliveryId: string;
  readonly commitSha?: string;
  readonly requestedAt: string;
  /** Attempt number, starting at 1; the queue adapter may carry it across retries. */
  readonly attempt?: number;
  /** Set on a replayed dead letter, fresh per replay, so the replay and its retries get new message ids. */
  readonly replayId?: string;
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

/**
 * The command a dead letter is replayed as: a `replay` trigger starting again at attempt 1, with a
 * fresh `replayId` so that duplicate detection keeps it (and its retries) apart from the original.
 */
export function replayCommand(command: SyncCommand): SyncCommand {
  const { attempt: _attempt, ...fresh } = command;
  return { ...fresh, trigger: 'replay', replayId: globalThis.crypto.randomUUID() };
}

/** Service Bus rejects a MessageId longer than this. */
export const MAX_MESSAGE_ID_LENGTH = 128;

/**
 * The queue message id of a command, the key of the queue's duplicate detection: the scope and the
 * delivery id (GitHub gives every hook of one event the same delivery id, so two scopes following
 * one repository need two ids), then the replay and the attempt, each built from the command and
 * never from an earlier id, so ids do not grow with retries. When that readable form would pass
 * Service Bus's 128 characters (a 64-character organisation id and a 100-character delivery id),
 * the id is its SHA-256 in hex instead: as unique, 64 characters whatever the input, and never
 * equal to a readable id (those always hold a ':').
 */
export async function commandMessageId(command: Pick<SyncCommand, 'scope' | 'deliveryId' | 'attempt' | 'replayId'>): Promise<string> {
  const parts = [command.scope, command.deliveryId];
  if (command.replayId !== undefined) parts.push(`replay-${command.replayId}`);
  if ((command.attempt ?? 1) > 1) parts.push(`attempt-${command.attempt}`);
  const readable = parts.join(':');
  if (readable.length <= MAX_MESSAGE_ID_LENGTH) return readable;
  // Web Crypto, a platform primitive rather than I/O: the domain stays free of node:crypto.
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(readable));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
