import { ContainerModule } from 'inversify';
import { FileStoreBackups } from '../../adapters/backups/FileStoreBackups';
import { LocalVolumeFileStore } from '../../adapters/local-volume/LocalVolumeFileStore';
import { YazlWorkspaceArchiver } from '../../adapters/zip/YazlWorkspaceArchiver';
import { PRIVATE_FOLDER } from '../../ports/FileStore';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The workspace FileStore chosen by FILE_STORE, the zip archiver over it, and where scope backups go. */
export async function fileStoreModule(config: Config): Promise<ContainerModule> {
  const store = await LocalVolumeFileStore.open(config.workspaceRoot);
  // Locally a folder of its own (the plan's tmp share); in Azure the workspace share's private
  // folder, since a container's own disk does not outlive it. Never inside a synced scope.
  const backups =
    config.BACKUP_STORE === 'workspace'
      ? { store, folder: `${PRIVATE_FOLDER}/backups` }
      : { store: await LocalVolumeFileStore.open(config.backupsDir), folder: '' };
  return new ContainerModule(({ bind }) => {
    bind(TYPES.FileStore).toConstantValue(store);
    bind(TYPES.WorkspaceArchiver).toConstantValue(new YazlWorkspaceArchiver(store));
    bind(TYPES.WorkspaceBackups).toResolvedValue(
      (archiver, clock) => new FileStoreBackups({ archiver, ...backups, clock, keepPerScope: config.BACKUPS_KEEP }),
      [TYPES.WorkspaceArchiver, TYPES.Clock],
    );
  });
}
