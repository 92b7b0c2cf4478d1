import type { FileEntry } from '../../../ports/FileStore';
import type { SourceRepository } from '../../../ports/SourceRepository';
import type { Connection } from '../../connections/Connection';
import { tokenMissingMessage } from '../../connections/TokenMissing';
import { scopeFolder } from '../../shared/Scope';
import type { Manifest } from '../Manifest';
import { filesOfManifest, folderMatchesManifest } from '../ManifestCheck';
import type { SyncTrigger } from '../SyncCommand';
import { SyncFailure } from '../SyncFailure';
import type { SyncWorkspaceDeps } from './SyncDeps';
import { markPhaseEnd, type SyncRound } from './SyncRound';

// Triggers that compare the folder itself with the manifest instead of trusting the manifest.
const VERIFYING_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(['reconcile', 'manual', 'connect', 'replay']);

/** What the first step found: the branch head, the manifest and the files in the scope folder. */
export interface Inspection {
  readonly source: SourceRepository;
  readonly head: string;
  readonly manifest: Manifest | null;
  /** The scope folder, relative to the store's root. */
  readonly folder: string;
  /**
   * The scope's files, scope-relative, when the folder was listed; null when a clean manifest is
   * trusted to describe it (presentFiles builds them from it): a push's plan of changed paths
   * never needs them.
   */
  readonly listed: FileEntry[] | null;
  /** The folder already holds the head: the round has nothing to do. */
  readonly upToDate: boolean;
}

/** Step 1: reads the branch head and the manifest, and looks at the folder when the trigger asks to. */
export async function inspect(round: SyncRound): Promise<Inspection> {
  const { deps, connection, command } = round;
  // The manifest's read travels while the source opens (its first use loads the client's modules).
  const manifestRead = deps.metadata.getManifest(connection.scope);
  manifestRead.catch(() => undefined); // awaited below; a source that fails to open is reported first
  const source = await openSource(deps, connection);
  round.source = source;
  const [head, manifest] = await Promise.all([source.branchHead(connection.branch), manifestRead]);
  if (head === null)
    throw new SyncFailure('BranchNotFound', `branch '${connection.branch}' does not exist in ${connection.repository}`);
  round.run = { ...round.run, commitSha: head };

  const folder = scopeFolder(connection.scope);
  // Pushes trust a clean manifest (the folder is read-only outside syncs); other triggers, a
  // missing or dirty manifest look at the folder itself, so drift is repaired by the next reconcile.
  const verified = !manifest || manifest.dirty || VERIFYING_TRIGGERS.has(command.trigger);
  const listed = verified ? await listScope(deps, folder) : null;
  markPhaseEnd(round, 'inspect');
  const upToDate =
    manifest !== null &&
    manifest.commitSha === head &&
    (listed === null || folderMatchesManifest(manifest, listed, deps.files.capabilities.executableBit));
  return { source, head, manifest, folder, listed, upToDate };
}

/** The scope's files: as listed, or as the trusted manifest describes them. */
export function presentFiles(inspection: Inspection): FileEntry[] {
  if (inspection.listed !== null) return inspection.listed;
  return inspection.manifest === null ? [] : filesOfManifest(inspection.manifest);
}

/** Whether a push landed during the run. A failed look-up is not a failed run: the push's own trigger still comes. */
export async function headMovedSince(inspection: Inspection, connection: Connection): Promise<boolean> {
  try {
    const now = await inspection.source.branchHead(connection.branch);
    return now !== null && now !== inspection.head;
  } catch {
    return false;
  }
}

async function openSource(deps: SyncWorkspaceDeps, connection: Connection): Promise<SourceRepository> {
  const token = await deps.secrets.get(connection.tokenRef);
  if (token === null || token === '')
    throw new SyncFailure('TokenMissing', tokenMissingMessage(connection.scope, connection.tokenRef, deps.secrets));
  return deps.sources.open({ repository: connection.repository, token });
}

/** Scope-relative listing of the scope folder. */
async function listScope(deps: SyncWorkspaceDeps, folder: string): Promise<FileEntry[]> {
  const entries = await deps.files.list(folder, { recursive: true });
  const prefix = `${folder}/`;
  return entries.map((entry) => ({
    ...entry,
    path: entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path,
  }));
}
