import { ContainerModule } from 'inversify';
import { ConnectScope } from '../../domain/ConnectScope';
import { DisconnectScope } from '../../domain/DisconnectScope';
import { PreviewSync } from '../../domain/PreviewSync';
import { UpdateConnection } from '../../domain/UpdateConnection';
import { TYPES } from '../identifiers';

/** The connection use cases behind `/api/github-connections`. */
export function connectionsModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.ConnectScope).toResolvedValue(
      (metadata, files, sources, admin, secrets, queue, clock) => new ConnectScope({ metadata, files, sources, admin, secrets, queue, clock }),
      [TYPES.MetadataRepo, TYPES.FileStore, TYPES.SourceRepositoryFactory, TYPES.RepositoryAdmin, TYPES.SecretStore, TYPES.CommandQueue, TYPES.Clock],
    );
    bind(TYPES.UpdateConnection).toResolvedValue(
      (metadata, sources, admin, secrets, queue, clock) => new UpdateConnection({ metadata, sources, admin, secrets, queue, clock }),
      [TYPES.MetadataRepo, TYPES.SourceRepositoryFactory, TYPES.RepositoryAdmin, TYPES.SecretStore, TYPES.CommandQueue, TYPES.Clock],
    );
    bind(TYPES.DisconnectScope).toResolvedValue(
      (metadata, admin, secrets, clock) => new DisconnectScope({ metadata, admin, secrets, clock }),
      [TYPES.MetadataRepo, TYPES.RepositoryAdmin, TYPES.SecretStore, TYPES.Clock],
    );
    bind(TYPES.PreviewSync).toResolvedValue(
      (metadata, files, sources, admin, secrets, sync) => new PreviewSync({ metadata, files, sources, admin, secrets, maxFileBytes: sync.maxFileBytes }),
      [TYPES.MetadataRepo, TYPES.FileStore, TYPES.SourceRepositoryFactory, TYPES.RepositoryAdmin, TYPES.SecretStore, TYPES.SyncSettings],
    );
  });
}
