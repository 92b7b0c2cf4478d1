import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalVolumeFileStore } from '../../src/adapters/local-volume/LocalVolumeFileStore';
import { describeFileStoreContract } from './contracts/FileStore.contract';

describeFileStoreContract('local volume', async () => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-filestore-'));
  // The root does not exist yet: opening the store must create it.
  const adapter = await LocalVolumeFileStore.open(path.join(parent, 'workspace'));
  return { adapter, cleanup: () => fs.rm(parent, { recursive: true, force: true }) };
});
