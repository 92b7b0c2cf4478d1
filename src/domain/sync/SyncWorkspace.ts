import type { ScopeLease } from '../../ports/LeaseRepo';
import type { Connection } from '../connections/Connection';
import type { Scope } from '../shared/Scope';
import { LeaseKeeper } from './LeaseKeeper';
import type { SyncCommand } from './SyncCommand';
import { describeFailure } from './SyncFailure';
import type { SyncRun, SyncRunError } from './SyncRun';
import { backUpHandEdits } from './steps/backUp';
import { bothSettled } from './steps/bothSettled';
import { commit } from './steps/commit';
import { headMovedSince, inspect } from './steps/inspect';
import { planChanges } from './steps/plan';
import { recordFailure, recordStart, recordSuccess, recordUpToDate } from './steps/record';
import type { SyncWorkspaceDeps } from './steps/SyncDeps';
import { type RoundOutcome, startRound } from './steps/SyncRound';
import { stage } from './steps/stage';

export type { SyncSettings, SyncWorkspaceDeps } from './steps/SyncDeps';

export type SyncWorkspaceResult =
  | { readonly kind: 'completed'; readonly runs: readonly SyncRun[] }
  | {
      readonly kind: 'failed';
      readonly runs: readonly SyncRun[];
      readonly error: SyncRunError & { retryAfterMs?: number };
    }
  | { readonly kind: 'coalesced'; readonly holder: string }
  | { readonly kind: 'skipped'; readonly reason: 'NoConnection' | 'Disabled' };

/**
 * Brings one scope's folder in step with its connected branch (docs/design.md §4): takes the scope's lease,
 * mirrors the branch head, goes again while the head moves or triggers arrived meanwhile, and
 * records every run. Each round runs the steps in `steps/` in order.
 */
export class SyncWorkspace {
  constructor(private readonly deps: SyncWorkspaceDeps) {}

  async execute(command: SyncCommand): Promise<SyncWorkspaceResult> {
    const { metadata, clock, settings } = this.deps;
    const connection = await metadata.getConnection(command.scope);
    if (!connection) return { kind: 'skipped', reason: 'NoConnection' };
    if (!connection.enabled) return { kind: 'skipped', reason: 'Disabled' };

    const acquisition = await metadata.acquireLease(command.scope, settings.holderId, clock.now(), settings.leaseTtlMs);
    if (acquisition.kind === 'busy') {
      if (acquisition.firstPending || command.trigger === 'lease-check') {
        await this.scheduleLeaseCheck(command.scope, acquisition.expiresAt);
      }
      return { kind: 'coalesced', holder: acquisition.holder };
    }

    const runs: SyncRun[] = [];
    let lease: ScopeLease = acquisition.lease;
    let held = true;
    try {
      // Read again under the lease: a disconnect or an update may have landed since the first look.
      // Runs left running by a dead worker are closed meanwhile, whatever the answer (one round trip less).
      const current = await bothSettled(this.closeAbandonedRuns(command.scope), metadata.getConnection(command.scope));
      if (!current?.enabled) return { kind: 'skipped', reason: current ? 'Disabled' : 'NoConnection' };
      for (let round = 1; round <= settings.maxRounds; round++) {
        const trigger = round === 1 ? command.trigger : 'lease-check';
        const keeper: LeaseKeeper = new LeaseKeeper(metadata, clock, lease, settings.leaseTtlMs);
        const outcome = await this.runOnce(current, { ...command, trigger }, keeper, round === 1);
        lease = keeper.lease;
        if (outcome.recorded) runs.push(outcome.run);
        if (outcome.run.status === 'failed') {
          // A failed run always carries its error; were one ever missing, that is a bug: never retried.
          return {
            kind: 'failed',
            runs,
            error: outcome.error ?? describeFailure(new Error('a failed run without an error')),
          };
        }
        if (outcome.headMoved) continue;
        const release = await metadata.releaseLease(lease, clock.now(), settings.leaseTtlMs);
        if (release.kind === 'released') {
          held = false;
          return { kind: 'completed', runs };
        }
        lease = release.lease;
      }
      // Still moving after maxRounds: leave a follow-up so the scope converges without holding this worker.
      await this.scheduleLeaseCheck(command.scope, clock.now());
      return { kind: 'completed', runs };
    } finally {
      if (held) await this.releaseQuietly(lease);
    }
  }

  /**
   * One round, step by step: inspect, plan, back up, stage, commit, record. A step with nothing to
   * do returns at once. Every phase that can take long runs under `keepAliveDuring`, so the lease
   * is renewed even while a phase waits on one slow call; loops also renew between their items.
   */
  private async runOnce(
    connection: Connection,
    command: SyncCommand,
    lease: LeaseKeeper,
    firstRound: boolean,
  ): Promise<RoundOutcome> {
    const round = startRound(this.deps, connection, command, lease, firstRound);
    try {
      const inspection = await lease.keepAliveDuring(() => inspect(round));
      if (inspection.upToDate) return await recordUpToDate(round, inspection);
      // The run is saved as running while the tree is read: both come before any change.
      const plan = await bothSettled(
        recordStart(round),
        lease.keepAliveDuring(() => planChanges(round, inspection)),
      );
      await lease.keepAliveDuring(() => backUpHandEdits(round, inspection, plan));
      const staged = await lease.keepAliveDuring(() => stage(round, inspection, plan));
      // Whether the branch moved meanwhile is asked while the commit runs: one round trip off the path.
      const headMoved = await bothSettled(
        lease.keepAliveDuring(() => commit(round, inspection, plan)),
        headMovedSince(inspection, connection),
      );
      return await recordSuccess(round, plan, staged, headMoved);
    } catch (thrown) {
      return recordFailure(round, thrown);
    }
  }

  /**
   * Holding the lease means no other run of the scope is alive, so a run still marked running was
   * left by a worker that died: record it as failed instead of leaving it running forever.
   */
  private async closeAbandonedRuns(scope: Scope): Promise<void> {
    const { metadata, clock } = this.deps;
    const { runs } = await metadata.listRuns({ scope, status: 'running', limit: 100 });
    for (const run of runs) {
      await metadata.saveRun({
        ...run,
        status: 'failed',
        finishedAt: clock.now(),
        error: {
          code: 'Abandoned',
          message: 'the worker running this sync stopped before it finished',
          retryable: true,
        },
      });
    }
  }

  private async scheduleLeaseCheck(scope: Scope, notBefore: Date): Promise<void> {
    const at = new Date(Math.max(notBefore.getTime(), this.deps.clock.now().getTime()) + 1_000);
    await this.deps.queue.send(
      {
        scope,
        trigger: 'lease-check',
        deliveryId: `lease-check:${scope}:${at.getTime()}`,
        requestedAt: this.deps.clock.now().toISOString(),
      },
      { scheduledAt: at },
    );
  }

  private async releaseQuietly(lease: ScopeLease): Promise<void> {
    try {
      const release = await this.deps.metadata.releaseLease(
        lease,
        this.deps.clock.now(),
        this.deps.settings.leaseTtlMs,
      );
      if (release.kind === 'pending') {
        // We are leaving on an error with a trigger waiting: hand the scope to a follow-up.
        await this.deps.metadata.releaseLease(release.lease, this.deps.clock.now(), this.deps.settings.leaseTtlMs);
        await this.scheduleLeaseCheck(lease.scope, this.deps.clock.now());
      }
    } catch (error) {
      this.deps.logger.warn(
        { scope: lease.scope, error: describeFailure(error) },
        'could not release the scope lease; it will expire',
      );
    }
  }
}
