import { planChangedPaths } from '../ChangedPathsPlan';
import { SyncFailure } from '../SyncFailure';
import { isNoop, planSync, type SyncPlan } from '../SyncPlan';
import { captureTreeState, expandTreeState } from '../TreeState';
import { type Inspection, presentFiles } from './inspect';
import { markPhaseEnd, type SyncRound } from './SyncRound';

/**
 * Step 2: reads the branch's tree and plans the writes, deletes and skips that mirror it. The tree
 * the clean manifest was planned from lets the source list only the folders changed since.
 */
export async function planChanges(round: SyncRound, inspection: Inspection): Promise<SyncPlan> {
  const { deps, connection } = round;
  const { manifest } = inspection;
  const known = manifest?.tree && !manifest.dirty ? expandTreeState(manifest.tree, manifest.entries) : undefined;
  const tree = await inspection.source.tree(inspection.head, connection.subPath || undefined, known);
  markPhaseEnd(round, 'tree');
  const capabilities = deps.files.capabilities;
  const scopeFolderLength = inspection.folder.length + 1;
  const { maxFileBytes } = deps.settings;
  // A folder trusted as the manifest says: only the changed paths need planning.
  const changed =
    known && manifest && inspection.listed === null
      ? planChangedPaths({ tree, manifest, capabilities, scopeFolderLength, maxFileBytes })
      : null;
  if (changed) return changed;
  const outcome = planSync({
    target: tree.entries,
    manifest,
    present: presentFiles(inspection),
    capabilities,
    scopeFolderLength,
    maxFileBytes,
  });
  if (!outcome.ok) throw new SyncFailure(outcome.code, outcome.message);
  const state = captureTreeState(tree, outcome.plan.manifest);
  return state ? { ...outcome.plan, tree: state } : outcome.plan;
}

/**
 * Whether the folder or its manifest must change: files to write or delete, a manifest a crash
 * left dirty, or one at another commit. When not, staging and commit have nothing to do.
 */
export function commitNeeded(inspection: Inspection, plan: SyncPlan): boolean {
  const { manifest, head } = inspection;
  return !isNoop(plan) || manifest?.dirty === true || manifest?.commitSha !== head;
}
