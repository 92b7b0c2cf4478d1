import { hostname } from 'node:os';
import { ContainerModule } from 'inversify';
import { ReconcileConnections } from '../../domain/connections/ReconcileConnections';
import { ProcessSyncCommand } from '../../domain/sync/ProcessSyncCommand';
import { PruneHistory } from '../../domain/sync/PruneHistory';
import { ReceiveGitHubWebhook } from '../../domain/sync/ReceiveGitHubWebhook';
import { SyncWorkspace } from '../../domain/sync/SyncWorkspace';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The use cases, wired to whichever adapters the other modules bound. */
export function syncModule(config: Config): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.SyncSettings).toConstantValue({
      holderId: `${hostname()}:${process.pid}:${globalThis.crypto.randomUUID().slice(0, 8)}`,
      leaseTtlMs: config.SYNC_LEASE_TTL_SECONDS * 1000,
      fetchConcurrency: config.SYNC_FETCH_CONCURRENCY,
      archiveThreshold: config.SYNC_ARCHIVE_THRESHOLD,
      maxRounds: config.SYNC_MAX_ROUNDS,
      maxFileBytes: config.SYNC_MAX_FILE_BYTES,
    });
    bind(TYPES.SyncWorkspace)
      .toResolvedValue(
        (metadata, files, sources, secrets, queue, clock, ids, logger, settings, backups) =>
          new SyncWorkspace({ metadata, files, sources, secrets, queue, clock, ids, logger, settings, backups }),
        [
          TYPES.MetadataRepo,
          TYPES.FileStore,
          TYPES.SourceRepositoryFactory,
          TYPES.SecretStore,
          TYPES.CommandQueue,
          TYPES.Clock,
          TYPES.IdGenerator,
          TYPES.Logger,
          TYPES.SyncSettings,
          TYPES.WorkspaceBackups,
        ],
      )
      .inSingletonScope();
    bind(TYPES.ReceiveGitHubWebhook)
      .toResolvedValue(
        (metadata, connections, secrets, verifier, queue, clock, logger) =>
          new ReceiveGitHubWebhook({ metadata, connections, secrets, verifier, queue, clock, logger }),
        [
          TYPES.MetadataRepo,
          TYPES.ConnectionLookup,
          TYPES.SecretStore,
          TYPES.SignatureVerifier,
          TYPES.CommandQueue,
          TYPES.Clock,
          TYPES.Logger,
        ],
      )
      .inSingletonScope();
    bind(TYPES.RetrySettings).toConstantValue({
      maxAttempts: config.SYNC_MAX_ATTEMPTS,
      baseDelayMs: config.SYNC_RETRY_BASE_SECONDS * 1000,
      maxDelayMs: config.SYNC_RETRY_MAX_SECONDS * 1000,
    });
    bind(TYPES.ProcessSyncCommand)
      .toResolvedValue(
        (sync, metadata, clock, logger, retry) => new ProcessSyncCommand({ sync, metadata, clock, logger, retry }),
        [TYPES.SyncWorkspace, TYPES.MetadataRepo, TYPES.Clock, TYPES.Logger, TYPES.RetrySettings],
      )
      .inSingletonScope();
    bind(TYPES.ReconcileConnections)
      .toResolvedValue(
        (metadata, queue, clock) => new ReconcileConnections({ metadata, queue, clock }),
        [TYPES.MetadataRepo, TYPES.CommandQueue, TYPES.Clock],
      )
      .inSingletonScope();
    const retention = {
      runsDays: config.RUNS_RETENTION_DAYS,
      runsKeepPerScope: config.RUNS_KEEP_PER_SCOPE,
      deliveriesDays: config.DELIVERIES_RETENTION_DAYS,
    };
    bind(TYPES.PruneHistory)
      .toResolvedValue(
        (metadata, clock) => new PruneHistory({ metadata, clock, settings: retention }),
        [TYPES.MetadataRepo, TYPES.Clock],
      )
      .inSingletonScope();
  });
}
