import type { SyncTrigger } from '../SyncCommand';
import { describeFailure } from '../SyncFailure';
import type { SyncPlan } from '../SyncPlan';
import { type SyncRun, ZERO_COUNTS } from '../SyncRun';
import { bothSettled } from './bothSettled';
import type { Inspection } from './inspect';
import { runStagingFolder } from './StagingArea';
import type { RoundOutcome, SyncRound } from './SyncRound';
import type { Staged } from './stage';

// Noop runs are recorded for triggers a person or a push caused; routine checks would flood history.
const QUIET_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(['reconcile', 'lease-check']);

/** Step 6, when inspect found nothing to do: a no-op run, saved unless the trigger was routine. */
export async function recordUpToDate(round: SyncRound, inspection: Inspection): Promise<RoundOutcome> {
  const { deps, command, firstRound } = round;
  const unchanged = inspection.manifest?.entries.size ?? 0;
  const run: SyncRun = {
    ...round.run,
    status: 'noop',
    finishedAt: deps.clock.now(),
    counts: { ...ZERO_COUNTS, unchanged },
    sourceRequests: inspection.source.requestCount,
  };
  round.run = run;
  const recorded = firstRound && !QUIET_TRIGGERS.has(command.trigger);
  if (recorded) await deps.metadata.saveRun(run);
  round.log.debug({ commitSha: inspection.head }, 'scope already at branch head');
  return { run, recorded, headMoved: false };
}

/** Saves the run as running before anything changes, so a worker that dies leaves a trace. */
export async function recordStart(round: SyncRound): Promise<void> {
  await round.deps.metadata.saveRun(round.run);
}

/** Step 6: the finished run and the connection's last outcome. */
export async function recordSuccess(
  round: SyncRound,
  plan: SyncPlan,
  staged: Staged,
  headMoved: boolean,
): Promise<RoundOutcome> {
  const { deps, startedAt, timings } = round;
  const archiveFallbacks = staged.archiveFallbacks?.length;
  const finishedAt = deps.clock.now();
  const run: SyncRun = {
    ...round.run,
    status: 'succeeded',
    finishedAt,
    counts: {
      written: plan.writes.length + plan.lateWrites.length,
      deleted: plan.deletes.length,
      unchanged: plan.unchanged,
      skipped: plan.skipped.length,
      bytesWritten: staged.bytes,
      ...(archiveFallbacks === undefined ? {} : { archiveFallbacks }),
    },
    skipped: plan.skipped,
    lfsPointers: staged.lfsPointers,
    sourceRequests: round.source?.requestCount ?? 0,
  };
  round.run = run;
  await bothSettled(deps.metadata.saveRun(run), recordOutcome(round, run));
  round.log.info(
    {
      commitSha: run.commitSha,
      counts: run.counts,
      ms: finishedAt.getTime() - startedAt.getTime(),
      msAfterStart: timings,
    },
    'scope synced',
  );
  return { run, recorded: true, headMoved };
}

/** Step 6 after any step failed: clears the run's staging and records the failure (best effort). */
export async function recordFailure(round: SyncRound, thrown: unknown): Promise<RoundOutcome> {
  const { deps, connection, log } = round;
  const error = describeFailure(thrown);
  const run: SyncRun = {
    ...round.run,
    status: 'failed',
    finishedAt: deps.clock.now(),
    error: { code: error.code, message: error.message, retryable: error.retryable },
    sourceRequests: round.source?.requestCount ?? 0,
  };
  round.run = run;
  log.warn({ error: run.error }, 'sync run failed');
  try {
    await deps.files.deleteTree(runStagingFolder(connection.scope, run.id));
  } catch {
    // Best effort: the next run of this scope clears its staging folder before it stages.
  }
  try {
    await deps.metadata.saveRun(run);
    await recordOutcome(round, run);
  } catch (recordError) {
    log.error({ error: describeFailure(recordError) }, 'could not record the failed run');
  }
  return { run, recorded: true, headMoved: false, error };
}

async function recordOutcome(round: SyncRound, run: SyncRun): Promise<void> {
  const { metadata, clock } = round.deps;
  const current = (await metadata.getConnection(round.connection.scope)) ?? round.connection;
  await metadata.saveConnection({
    ...current,
    lastSyncOutcome: run.status === 'failed' ? 'failed' : run.status === 'noop' ? 'noop' : 'succeeded',
    lastSyncAt: run.finishedAt ?? clock.now(),
    ...(run.status === 'succeeded' && run.commitSha ? { lastSyncedCommit: run.commitSha } : {}),
  });
}
