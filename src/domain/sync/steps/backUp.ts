import { handEditedFiles } from '../../workspace/HandEdits';
import type { SyncPlan } from '../SyncPlan';
import type { Inspection } from './inspect';
import type { SyncRound } from './SyncRound';

/**
 * Step 3: zips the scope before the plan replaces or deletes files edited by hand. Only runs that
 * listed the folder can tell a hand edit; without a backup store there is nothing to do.
 */
export async function backUpHandEdits(round: SyncRound, inspection: Inspection, plan: SyncPlan): Promise<void> {
  const { files, backups } = round.deps;
  const { folder, manifest, listed } = inspection;
  if (!backups || listed === null) return;
  const edited = await handEditedFiles({ files, folder, plan, manifest, present: listed });
  if (edited.length === 0) return;
  const backup = await backups.create(
    round.connection.scope,
    `before sync run ${round.run.id}: ${edited.length} file(s) edited by hand replaced or deleted`,
  );
  round.run = { ...round.run, backupId: backup.id };
  round.log.info(
    { backupId: backup.id, edited: edited.length, examples: edited.slice(0, 5) },
    'scope backed up before replacing hand edits',
  );
}
