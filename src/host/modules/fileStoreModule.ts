import { ContainerModule } from 'inversify';
import { FileStoreBackups } from '../../adapters/backups/FileStoreBackups';
import { LocalVolumeFileStore } from '../../adapters/local-volume/LocalVolumeFileStore';
import { YazlWorkspaceArchiver } from '../../adapters/zip/YazlWorkspaceArchiver';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The workspace FileStore chosen by FILE_STORE, the zip archiver over it, and where scope backups go. */
export async function fileStoreModule(config: Config): Promise<ContainerModule> {
  const store = await LocalVolumeFileStore.open(config.workspaceRoot);
  // The plan's "tmp share": a folder of its own, so backups never sit inside a synced scope.
  const backupStore = await LocalVolumeFileStore.open(config.backupsDir);
  return new ContainerModule(({ bind }) => {
    bind(TYPES.FileStore).toConstantValue(store);
    bind(TYPES.WorkspaceArchiver).toConstantValue(new YazlWorkspaceArchiver(store));
    bind(TYPES.WorkspaceBackups).toResolvedValue(
      (archiver, clock) => new FileStoreBackups({ archiver, store: backupStore, folder: '', clock }),
      [TYPES.WorkspaceArchiver, TYPES.Clock],
    );
  });
}
