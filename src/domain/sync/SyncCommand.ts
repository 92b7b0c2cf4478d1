import { parseScope, type Scope } from '../shared/Scope';

/** Why a sync was asked for. `lease-check` is the follow-up a busy scope schedules for itself. */
export type SyncTrigger = 'push' | 'connect' | 'manual' | 'reconcile' | 'replay' | 'lease-check';

export const SYNC_TRIGGERS: readonly SyncTrigger[] = [
  'push',
  'connect',
  'manual',
  'reconcile',
  'replay',
  'lease-check',
];

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

export type ParsedCommand =
  | { readonly ok: true; readonly command: SyncCommand }
  | { readonly ok: false; readonly problems: string };

const COMMIT_SHA = /^[0-9a-f]{40}$/;
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;

/** An ISO 8601 UTC time (`2026-01-01T00:00:00.000Z`) naming a real instant: no 30 February, no 24 o'clock. */
function isUtcTime(value: string): boolean {
  const match = UTC_TIME.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === second
  );
}

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max;

/**
 * The one validator of a queue message body (an object, or its JSON as text or bytes): the worker
 * acts only on what it accepts, and dead-letter listings and replays use it too. The scope comes
 * back normalised (see parseScope) and fields that are not a command's are dropped.
 */
export function parseSyncCommand(body: unknown): ParsedCommand {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    } catch {
      return { ok: false, problems: 'body is not JSON' };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problems: 'body: not an object' };
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  const scope = typeof fields.scope === 'string' ? parseScope(fields.scope) : null;
  if (scope === null) problems.push('scope: GLOBAL or an organisation id');
  if (!SYNC_TRIGGERS.includes(fields.trigger as SyncTrigger))
    problems.push(`trigger: one of ${SYNC_TRIGGERS.join(', ')}`);
  if (!isText(fields.deliveryId, 200)) problems.push('deliveryId: text of 1 to 200 characters');
  if (fields.commitSha !== undefined && !(typeof fields.commitSha === 'string' && COMMIT_SHA.test(fields.commitSha)))
    problems.push('commitSha: 40 lower-case hex digits');
  if (!(typeof fields.requestedAt === 'string' && isUtcTime(fields.requestedAt)))
    problems.push('requestedAt: an ISO 8601 UTC time');
  if (fields.attempt !== undefined && !(Number.isInteger(fields.attempt) && (fields.attempt as number) >= 1))
    problems.push('attempt: a whole number from 1');
  if (fields.replayId !== undefined && !isText(fields.replayId, 64))
    problems.push('replayId: text of 1 to 64 characters');
  if (problems.length > 0 || scope === null) return { ok: false, problems: problems.join('; ') };
  const command: SyncCommand = {
    scope,
    trigger: fields.trigger as SyncTrigger,
    deliveryId: fields.deliveryId as string,
    ...(fields.commitSha === undefined ? {} : { commitSha: fields.commitSha as string }),
    requestedAt: fields.requestedAt as string,
    ...(fields.attempt === undefined ? {} : { attempt: fields.attempt as number }),
    ...(fields.replayId === undefined ? {} : { replayId: fields.replayId as string }),
  };
  return { ok: true, command };
}

/** The command in a queue message body, or null when parseSyncCommand refuses it (for listing and replaying dead letters). */
export function readSyncCommand(body: unknown): SyncCommand | null {
  const parsed = parseSyncCommand(body);
  return parsed.ok ? parsed.command : null;
}

/**
 * The command a dead letter is replayed as: a `replay` trigger starting again at attempt 1, with a
 * fresh `replayId` (the caller's new id) so that duplicate detection keeps it (and its retries)
 * apart from the original.
 */
export function replayCommand(command: SyncCommand, replayId: string): SyncCommand {
  const { attempt: _attempt, ...fresh } = command;
  return { ...fresh, trigger: 'replay', replayId };
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
export async function commandMessageId(
  command: Pick<SyncCommand, 'scope' | 'deliveryId' | 'attempt' | 'replayId'>,
): Promise<string> {
  const parts = [command.scope, command.deliveryId];
  if (command.replayId !== undefined) parts.push(`replay-${command.replayId}`);
  if ((command.attempt ?? 1) > 1) parts.push(`attempt-${command.attempt}`);
  const readable = parts.join(':');
  if (readable.length <= MAX_MESSAGE_ID_LENGTH) return readable;
  // Web Crypto, a platform primitive rather than I/O: the domain stays free of node:crypto.
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(readable));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
