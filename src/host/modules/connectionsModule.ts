import { ContainerModule } from 'inversify';
import { ConnectScope } from '../../domain/connections/ConnectScope';
import { DisconnectScope } from '../../domain/connections/DisconnectScope';
import { GetConnection } from '../../domain/connections/GetConnection';
import { ListConnections } from '../../domain/connections/ListConnections';
import { PreviewSync } from '../../domain/connections/PreviewSync';
import { UpdateConnection } from '../../domain/connections/UpdateConnection';
import { QueueManualSync } from '../../domain/sync/QueueManualSync';
import { TYPES } from '../identifiers';

/** The connection use cases behind `/api/github-connections` (and its sync-now route). */
export function connectionsModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.ConnectScope).toResolvedValue(
      (metadata, files, sources, admin, secrets, queue, clock, ids) =>
        new ConnectScope({ metadata, files, sources, admin, secrets, queue, clock, ids }),
      [
        TYPES.MetadataRepo,
        TYPES.FileStore,
        TYPES.SourceRepositoryFactory,
        TYPES.RepositoryAdmin,
        TYPES.SecretStore,
        TYPES.CommandQueue,
        TYPES.Clock,
        TYPES.IdGenerator,
      ],
    );
    bind(TYPES.UpdateConnection).toResolvedValue(
      (metadata, sources, admin, secrets, queue, clock, ids) =>
        new UpdateConnection({ metadata, sources, admin, secrets, queue, clock, ids }),
      [
        TYPES.MetadataRepo,
        TYPES.SourceRepositoryFactory,
        TYPES.RepositoryAdmin,
        TYPES.SecretStore,
        TYPES.CommandQueue,
        TYPES.Clock,
        TYPES.IdGenerator,
      ],
    );
    bind(TYPES.DisconnectScope).toResolvedValue(
      (metadata, admin, secrets, clock, ids) => new DisconnectScope({ metadata, admin, secrets, clock, ids }),
      [TYPES.MetadataRepo, TYPES.RepositoryAdmin, TYPES.SecretStore, TYPES.Clock, TYPES.IdGenerator],
    );
    bind(TYPES.PreviewSync).toResolvedValue(
      (metadata, files, sources, admin, secrets, sync) =>
        new PreviewSync({ metadata, files, sources, admin, secrets, maxFileBytes: sync.maxFileBytes }),
      [
        TYPES.MetadataRepo,
        TYPES.FileStore,
        TYPES.SourceRepositoryFactory,
        TYPES.RepositoryAdmin,
        TYPES.SecretStore,
        TYPES.SyncSettings,
      ],
    );
    bind(TYPES.ListConnections).toResolvedValue((metadata) => new ListConnections({ metadata }), [TYPES.MetadataRepo]);
    bind(TYPES.GetConnection).toResolvedValue((metadata) => new GetConnection({ metadata }), [TYPES.MetadataRepo]);
    bind(TYPES.QueueManualSync).toResolvedValue(
      (metadata, queue, clock, ids) => new QueueManualSync({ metadata, queue, clock, ids }),
      [TYPES.MetadataRepo, TYPES.CommandQueue, TYPES.Clock, TYPES.IdGenerator],
    );
  });
}
