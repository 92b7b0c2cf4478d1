import type { Logger } from '../../../ports/Logger';
import type { SourceRepository } from '../../../ports/SourceRepository';
import type { Connection } from '../../connections/Connection';
import type { LeaseKeeper } from '../LeaseKeeper';
import type { SyncCommand } from '../SyncCommand';
import { type SyncRun, type SyncRunError, ZERO_COUNTS } from '../SyncRun';
import type { SyncWorkspaceDeps } from './SyncDeps';

/**
 * One round of a sync as its steps see it: what they work with, and the run record they fill in
 * as they go (the steps run one after the other, never at once).
 */
export interface SyncRound {
  readonly deps: SyncWorkspaceDeps;
  readonly connection: Connection;
  readonly command: SyncCommand;
  /** Only the first round of an execution records a no-op (later rounds are follow-ups). */
  readonly firstRound: boolean;
  readonly lease: LeaseKeeper;
  readonly log: Logger;
  readonly startedAt: Date;
  /** Milliseconds after the start at which each phase ended, for the log. */
  readonly timings: Record<string, number>;
  run: SyncRun;
  /** Set as soon as the source is open, so a failed run still counts its requests. */
  source?: SourceRepository;
}

/** How a round ended; `recorded` says whether its run was saved (quiet no-ops are not). */
export interface RoundOutcome {
  readonly run: SyncRun;
  readonly recorded: boolean;
  readonly headMoved: boolean;
  readonly error?: SyncRunError & { retryAfterMs?: number };
}

export function startRound(
  deps: SyncWorkspaceDeps,
  connection: Connection,
  command: SyncCommand,
  lease: LeaseKeeper,
  firstRound: boolean,
): SyncRound {
  const startedAt = deps.clock.now();
  const run: SyncRun = {
    id: deps.ids.newId(),
    scope: connection.scope,
    trigger: command.trigger,
    deliveryId: command.deliveryId,
    status: 'running',
    startedAt,
    ...(connection.lastSyncedCommit ? { fromCommit: connection.lastSyncedCommit } : {}),
    counts: ZERO_COUNTS,
    skipped: [],
    lfsPointers: [],
    sourceRequests: 0,
  };
  const log = deps.logger.child({
    runId: run.id,
    scope: connection.scope,
    deliveryId: command.deliveryId,
    trigger: command.trigger,
  });
  return { deps, connection, command, firstRound, lease, log, startedAt, timings: {}, run };
}

/** Notes when a phase ended, relative to the round's start. */
export function markPhaseEnd(round: SyncRound, phase: string): void {
  round.timings[phase] = round.deps.clock.now().getTime() - round.startedAt.getTime();
}
