import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { FileStore } from '../../ports/FileStore';
import type { ManifestRepo } from '../../ports/ManifestRepo';
import type { RepositoryAdmin } from '../../ports/RepositoryAdmin';
import type { SecretStore } from '../../ports/SecretStore';
import type { SourceRepositoryFactory } from '../../ports/SourceRepository';
import { type Scope, scopeFolder } from '../shared/Scope';
import type { Manifest } from '../sync/Manifest';
import { folderMatchesManifest } from '../sync/ManifestCheck';
import { plannedEntry, planSync } from '../sync/SyncPlan';
import type { SkippedEntry } from '../sync/SyncRun';
import { pathKey } from '../workspace/PathKey';
import { listScopeFolder } from '../workspace/ScopeFiles';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from './ConnectionFailure';
import {
  type ConnectionTarget,
  checkAccess,
  checkBranch,
  checkRepository,
  normalizeSubPath,
  readTarget,
} from './ConnectionTarget';
import { tokenMissingMessage } from './TokenMissing';

/** The scope's own connection, or a proposed one (as ConnectScope would create it). */
export type PreviewSyncInput =
  | { readonly scope: Scope }
  | {
      readonly scope: Scope;
      readonly repository: string;
      readonly branch: string;
      readonly subPath: string;
      readonly token: string;
    };

/** What the next sync would do to the scope folder, computed without changing anything. */
export interface SyncPreview {
  readonly scope: Scope;
  readonly repository: string;
  readonly branch: string;
  readonly subPath: string;
  /** The branch head the preview was computed for. */
  readonly commitSha: string;
  /** The folder already holds this commit: the sync would change nothing. */
  readonly upToDate: boolean;
  /** Files written where the folder has none. */
  readonly newFiles: readonly string[];
  /** Files written over a file the folder holds. */
  readonly overwrittenFiles: readonly string[];
  readonly deletedFiles: readonly string[];
  /** Folders removed because nothing mirrored lives in them any more. */
  readonly removedFolders: readonly string[];
  readonly unchanged: number;
  readonly skipped: readonly SkippedEntry[];
  readonly bytesToWrite: number;
}

/** Every code a preview can fail with: the result type and the route's documentation both derive from it. */
export const PREVIEW_SYNC_FAILURES = [
  'NotConnected',
  'TokenMissing',
  'InvalidRepository',
  'InvalidBranch',
  'InvalidSubPath',
  'TokenRejected',
  'RepositoryNotFound',
  'InsufficientPermissions',
  'BranchNotFound',
  'SubPathNotFound',
  'EmptySource',
  'GitHubUnavailable',
] as const satisfies readonly ConnectionFailureCode[];

export type PreviewSyncFailureCode = (typeof PREVIEW_SYNC_FAILURES)[number];

export type PreviewSyncResult =
  | { readonly ok: true; readonly preview: SyncPreview }
  | ConnectionFailure<PreviewSyncFailureCode>;

export interface PreviewSyncDeps {
  readonly metadata: ConnectionRepo & ManifestRepo;
  readonly files: FileStore;
  readonly sources: SourceRepositoryFactory;
  readonly admin: RepositoryAdmin;
  readonly secrets: SecretStore;
  /** The sync's maximum file size (SyncSettings.maxFileBytes), so the preview skips what the sync will. */
  readonly maxFileBytes?: number;
}

/**
 * Dry run of the next sync. It decides exactly as SyncWorkspace does for the triggers that follow
 * a connection change (connect, manual): the branch head, the manifest (none for a proposed
 * connection: connecting discards it) and a listing of the folder, planned by `planSync`.
 */
export class PreviewSync {
  constructor(private readonly deps: PreviewSyncDeps) {}

  async execute(input: PreviewSyncInput): Promise<PreviewSyncResult> {
    const resolved = 'repository' in input ? await this.proposed(input) : await this.existing(input.scope);
    if (!resolved.ok) return resolved;
    const { target, token, manifest } = resolved;
    const { files } = this.deps;

    const read = await readTarget(this.deps.sources, { repository: target.repository, token }, target, true);
    if (!read.ok) return read;
    const present = await listScopeFolder(files, input.scope);
    const base = { scope: input.scope, ...target, commitSha: read.head };

    if (
      manifest &&
      manifest.commitSha === read.head &&
      folderMatchesManifest(manifest, present, files.capabilities.executableBit)
    ) {
      const nothing = {
        newFiles: [],
        overwrittenFiles: [],
        deletedFiles: [],
        removedFolders: [],
        skipped: [],
        bytesToWrite: 0,
      };
      return { ok: true, preview: { ...base, upToDate: true, ...nothing, unchanged: manifest.entries.size } };
    }

    const outcome = planSync({
      target: read.tree.entries,
      manifest,
      present,
      capabilities: files.capabilities,
      scopeFolderLength: scopeFolder(input.scope).length + 1,
      maxFileBytes: this.deps.maxFileBytes,
    });
    if (!outcome.ok) return failure(outcome.code, outcome.message);
    const { plan } = outcome;
    const caseSensitive = files.capabilities.caseSensitive;
    const presentFiles = new Set(
      present.filter((entry) => entry.kind === 'file').map((entry) => pathKey(entry.path, caseSensitive)),
    );
    const writes = [...plan.writes, ...plan.lateWrites];
    return {
      ok: true,
      preview: {
        ...base,
        upToDate: false,
        newFiles: writes.filter((path) => !presentFiles.has(pathKey(path, caseSensitive))),
        overwrittenFiles: writes.filter((path) => presentFiles.has(pathKey(path, caseSensitive))),
        deletedFiles: [...plan.deletes],
        removedFolders: [...plan.prune],
        unchanged: plan.unchanged,
        skipped: plan.skipped,
        bytesToWrite: writes.reduce((sum, path) => sum + plannedEntry(plan, path).size, 0),
      },
    };
  }

  private async existing(scope: Scope): Promise<Resolved | ConnectionFailure<'NotConnected' | 'TokenMissing'>> {
    const { metadata, secrets } = this.deps;
    const connection = await metadata.getConnection(scope);
    if (!connection) return failure('NotConnected', `scope ${scope} is not connected to GitHub`);
    const token = await secrets.get(connection.tokenRef);
    if (!token) return failure('TokenMissing', tokenMissingMessage(scope, connection.tokenRef, secrets));
    const target = { repository: connection.repository, branch: connection.branch, subPath: connection.subPath };
    return { ok: true, target, token, manifest: await metadata.getManifest(scope) };
  }

  private async proposed(
    input: Extract<PreviewSyncInput, { repository: string }>,
  ): Promise<Resolved | ConnectionFailure<PreviewSyncFailureCode>> {
    const invalid = checkRepository(input.repository) ?? checkBranch(input.branch);
    if (invalid) return invalid;
    const subPath = normalizeSubPath(input.subPath);
    if (!subPath.ok) return subPath;
    const access = await checkAccess(this.deps.admin, { repository: input.repository, token: input.token });
    if (!access.ok) return access;
    return {
      ok: true,
      target: { repository: input.repository, branch: input.branch, subPath: subPath.subPath },
      token: input.token,
      manifest: null,
    };
  }
}

interface Resolved {
  readonly ok: true;
  readonly target: ConnectionTarget;
  readonly token: string;
  readonly manifest: Manifest | null;
}
