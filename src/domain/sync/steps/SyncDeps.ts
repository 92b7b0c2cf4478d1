import type { Clock } from '../../../ports/Clock';
import type { CommandQueue } from '../../../ports/CommandQueue';
import type { ConnectionRepo } from '../../../ports/ConnectionRepo';
import type { FileStore } from '../../../ports/FileStore';
import type { IdGenerator } from '../../../ports/IdGenerator';
import type { LeaseRepo } from '../../../ports/LeaseRepo';
import type { Logger } from '../../../ports/Logger';
import type { ManifestRepo } from '../../../ports/ManifestRepo';
import type { SecretStore } from '../../../ports/SecretStore';
import type { SourceRepositoryFactory } from '../../../ports/SourceRepository';
import type { SyncRunRepo } from '../../../ports/SyncRunRepo';
import type { WorkspaceBackups } from '../../../ports/WorkspaceBackups';

export interface SyncSettings {
  /** Identifies this worker instance in leases. */
  readonly holderId: string;
  readonly leaseTtlMs: number;
  /** Parallel blob downloads. */
  readonly fetchConcurrency: number;
  /** From this many files to fetch on, one archive download replaces per-file blob calls. */
  readonly archiveThreshold: number;
  /** Upper bound on go-again rounds in one execution (a branch pushed to non-stop cannot pin a worker). */
  readonly maxRounds: number;
  /** Files larger than this are skipped with a reason, never downloaded (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
}

/** What the sync and each of its steps work with. */
export interface SyncWorkspaceDeps {
  readonly metadata: ConnectionRepo & SyncRunRepo & ManifestRepo & LeaseRepo;
  readonly files: FileStore;
  readonly sources: SourceRepositoryFactory;
  readonly secrets: SecretStore;
  readonly queue: CommandQueue;
  readonly clock: Clock;
  /** Names each run. */
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly settings: SyncSettings;
  /** Where a scope is zipped before a sync replaces or deletes files edited by hand; none = no backups. */
  readonly backups?: WorkspaceBackups;
}
