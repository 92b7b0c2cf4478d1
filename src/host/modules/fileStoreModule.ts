import { ContainerModule } from 'inversify';
import { LocalVolumeFileStore } from '../../adapters/local-volume/LocalVolumeFileStore';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The workspace FileStore chosen by FILE_STORE. */
export async function fileStoreModule(config: Config): Promise<ContainerModule> {
  const store = await LocalVolumeFileStore.open(config.workspaceRoot);
  return new ContainerModule(({ bind }) => {
    bind(TYPES.FileStore).toConstantValue(store);
  });
}
