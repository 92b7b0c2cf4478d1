import { ContainerModule } from 'inversify';
import { FileStoreBackups } from '../../adapters/backups/FileStoreBackups';
import { LocalVolumeFileStore } from '../../adapters/local-volume/LocalVolumeFileStore';
import { ZipWorkspaceArchiver } from '../../adapters/zip/ZipWorkspaceArchiver';
import { type FileStore, PRIVATE_FOLDER } from '../../ports/FileStore';
import { type AzureAccess, defaultAzureAccess } from '../azureAccess';
import { type Config, requiredSetting } from '../config';
import { TYPES } from '../identifiers';

/** The workspace FileStore chosen by FILE_STORE, the zip archiver over it, and where scope backups go. */
export async function fileStoreModule(
  config: Config,
  azure: AzureAccess = defaultAzureAccess(),
): Promise<ContainerModule> {
  const store = await openWorkspaceStore(config, azure);
  // Locally a folder of its own (the plan's tmp share); in Azure the workspace share's private
  // folder, since a container's own disk does not outlive it. Never inside a synced scope.
  const backups =
    config.BACKUP_STORE === 'workspace'
      ? { store, folder: `${PRIVATE_FOLDER}/backups` }
      : { store: await LocalVolumeFileStore.open(config.backupsDir, { ownedByService: true }), folder: '' };
  return new ContainerModule(({ bind }) => {
    bind(TYPES.FileStore).toConstantValue(store);
    bind(TYPES.WorkspaceArchiver).toConstantValue(new ZipWorkspaceArchiver(store));
    bind(TYPES.WorkspaceBackups).toResolvedValue(
      (archiver, clock) => new FileStoreBackups({ archiver, ...backups, clock, keepPerScope: config.BACKUPS_KEEP }),
      [TYPES.WorkspaceArchiver, TYPES.Clock],
    );
  });
}

/** FILE_STORE=local: the folder at WORKSPACE_ROOT (the mounted share in Azure); azure-files: the share over REST. */
async function openWorkspaceStore(config: Config, azure: AzureAccess): Promise<FileStore> {
  if (config.FILE_STORE === 'local') return LocalVolumeFileStore.open(config.workspaceRoot);
  // Loaded only when chosen: the Files SDK is the largest part of a start that does not use it.
  const { AzureFilesFileStore } = await import('../../adapters/azure-files/AzureFilesFileStore.js');
  const { createShareClient } = await import('../../adapters/azure-files/createShareClient.js');
  const shareName = requiredSetting(config, 'AZURE_FILES_SHARE');
  const share = config.AZURE_FILES_CONNECTION_STRING
    ? createShareClient({ connectionString: config.AZURE_FILES_CONNECTION_STRING, shareName })
    : createShareClient({
        accountUrl: requiredSetting(config, 'AZURE_FILES_ACCOUNT_URL'),
        shareName,
        credential: azure.credential(),
      });
  return AzureFilesFileStore.open(share);
}
