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
