import { joinScopePath } from '../../workspace/PathPolicy';
import type { SyncPlan } from '../SyncPlan';
import { bothSettled } from './bothSettled';
import type { Inspection } from './inspect';
import { commitNeeded } from './plan';
import { runStagingFolder, scopeStagingFolder } from './StagingArea';
import { markPhaseEnd, type SyncRound } from './SyncRound';

/**
 * Step 5: moves staged files into place, deletes, prunes, then writes the manifest last. The lease
 * is renewed before the first change and kept alive around every one: on a slow share the commit
 * alone can outlast the lease, and no change may land once another worker holds the scope. Staged
 * files move as one batch (each move atomic; the store checks each folder once, not per file).
 */
export async function commit(round: SyncRound, inspection: Inspection, plan: SyncPlan): Promise<void> {
  if (!commitNeeded(inspection, plan)) return;
  const { deps, connection, lease, run } = round;
  const { files, metadata } = deps;
  const scope = connection.scope;
  const { folder, head } = inspection;
  const staging = runStagingFolder(scope, run.id);
  await lease.renewNow(); // the commit must not start on a lease that already lapsed
  await metadata.markManifestDirty(scope);
  const place = async (paths: readonly string[]): Promise<void> => {
    if (paths.length === 0) return;
    // The same paths from one folder to another: the store joins a pair only for a file it moves alone.
    await files.moveAll({ from: staging, to: folder, paths }, { beforeEach: () => lease.keepAlive() });
    await lease.keepAlive();
  };
  await place(plan.writes);
  for (const path of plan.deletes) {
    await files.delete(joinScopePath(folder, path));
    await lease.keepAlive();
  }
  for (const dir of plan.prune) {
    await files.pruneEmptyDirectories(joinScopePath(folder, dir), folder);
    await lease.keepAlive();
  }
  await place(plan.lateWrites);
  // The emptied staging area goes while the manifest is written: neither waits for the other.
  await bothSettled(
    files.deleteTree(scopeStagingFolder(scope)),
    metadata.saveManifest({
      scope,
      commitSha: head,
      entries: plan.manifest,
      ...(plan.tree ? { tree: plan.tree } : {}),
    }),
  );
  markPhaseEnd(round, 'commit');
}
