import { ContainerModule } from 'inversify';
import { DevelopmentAuthenticator } from '../../adapters/entra/DevelopmentAuthenticator';
import { EntraJwtAuthenticator } from '../../adapters/entra/EntraJwtAuthenticator';
import { CheckReadiness } from '../../domain/shared/CheckReadiness';
import { GetSyncRun } from '../../domain/sync/GetSyncRun';
import { ListSyncRuns } from '../../domain/sync/ListSyncRuns';
import { BrowseWorkspace } from '../../domain/workspace/BrowseWorkspace';
import { EditWorkspace } from '../../domain/workspace/EditWorkspace';
import { OpenScopeBackup } from '../../domain/workspace/OpenScopeBackup';
import { ReadWorkspaceStatus } from '../../domain/workspace/ReadWorkspaceStatus';
import type { Authenticator } from '../../ports/Authenticator';
import { appVersion } from '../appVersion';
import type { Config } from '../config';
import { TYPES } from '../identifiers';
import { readinessProbes } from '../readinessProbes';

/** What the HTTP API needs besides the ports: who is calling, what the service is, whether it is ready, and its queries. */
export function apiModule(config: Config): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.Authenticator).toConstantValue(authenticatorFor(config));
    bind(TYPES.AppInfo).toConstantValue({ version: appVersion(), startedAt: new Date() });
    bind(TYPES.BrowseWorkspace).toResolvedValue((files) => new BrowseWorkspace({ files }), [TYPES.FileStore]);
    bind(TYPES.ReadWorkspaceStatus).toResolvedValue(
      (metadata, files) => new ReadWorkspaceStatus({ metadata, files }),
      [TYPES.MetadataRepo, TYPES.FileStore],
    );
    bind(TYPES.ListSyncRuns).toResolvedValue((metadata) => new ListSyncRuns({ metadata }), [TYPES.MetadataRepo]);
    bind(TYPES.GetSyncRun).toResolvedValue((metadata) => new GetSyncRun({ metadata }), [TYPES.MetadataRepo]);
    bind(TYPES.OpenScopeBackup).toResolvedValue(
      (backups) => new OpenScopeBackup({ backups }),
      [TYPES.WorkspaceBackups],
    );
    bind(TYPES.EditWorkspace).toResolvedValue(
      (files, metadata, clock, ids, logger, sync) =>
        new EditWorkspace({
          files,
          metadata,
          clock,
          ids,
          logger,
          settings: {
            holderId: sync.holderId,
            leaseTtlMs: sync.leaseTtlMs,
            maxFileBytes: config.MAX_FILE_BYTES,
            lockWaitMs: config.EDIT_LOCK_WAIT_MS,
          },
        }),
      [TYPES.FileStore, TYPES.MetadataRepo, TYPES.Clock, TYPES.IdGenerator, TYPES.Logger, TYPES.SyncSettings],
    );
    bind(TYPES.CheckReadiness).toDynamicValue(
      (context) =>
        new CheckReadiness({
          probes: readinessProbes({
            metadata: context.get(TYPES.MetadataRepo),
            files: context.get(TYPES.FileStore),
            queue: context.get(TYPES.CommandQueue),
            secrets: context.get(TYPES.SecretStore),
          }),
          clock: context.get(TYPES.Clock),
          timeoutMs: 5_000,
        }),
    );
  });
}

function authenticatorFor(config: Config): Authenticator {
  if (!config.auth) return new DevelopmentAuthenticator();
  return new EntraJwtAuthenticator({
    ...(config.auth.issuers === null ? {} : { issuers: [...config.auth.issuers] }),
    audiences: [...config.auth.audiences],
    jwksUrl: config.auth.jwksUrl,
    ...(config.auth.discoveryUrl === null ? {} : { discoveryUrl: config.auth.discoveryUrl }),
    clockToleranceSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    adminRole: config.AUTH_ADMIN_ROLE,
    editorRole: config.AUTH_EDITOR_ROLE,
    organizationClaim: config.AUTH_ORGANIZATION_CLAIM,
    organizationRolePrefix: config.AUTH_ORGANIZATION_ROLE_PREFIX,
  });
}
