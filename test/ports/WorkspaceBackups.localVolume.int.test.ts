import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStoreBackups } from '../../src/adapters/backups/FileStoreBackups';
import { LocalVolumeFileStore } from '../../src/adapters/local-volume/LocalVolumeFileStore';
import { YazlWorkspaceArchiver } from '../../src/adapters/zip/YazlWorkspaceArchiver';
import { unpackZip } from '../adapters/zip/readZip';
import { ManualClock } from '../doubles/ManualClock';
import { describeWorkspaceBackupsContract } from './contracts/WorkspaceBackups.contract';

async function fixture(where: 'data directory' | 'workspace private folder') {
  const parent = await mkdtemp(join(tmpdir(), 'ws-backups-'));
  const workspaceRoot = join(parent, 'workspace');
  const workspace = await LocalVolumeFileStore.open(workspaceRoot);
  const clock = new ManualClock('2025-06-01T12:00:00.000Z');
  const make = async () => {
    // Each instance opens its stores anew, as a restarted process would.
    const source = await LocalVolumeFileStore.open(workspaceRoot);
    const store =
      where === 'data directory' ? await LocalVolumeFileStore.open(join(parent, 'data', 'backups')) : source;
    const folder = where === 'data directory' ? '' : '.workspace-sync/backups';
    return new FileStoreBackups({ archiver: new YazlWorkspaceArchiver(source), store, folder, clock });
  };
  return {
    backups: await make(),
    workspace,
    advanceClock: (ms: number) => clock.advance(ms),
    unpack: unpackZip,
    reopen: make,
    cleanup: () => rm(parent, { recursive: true, force: true }),
  };
}

describeWorkspaceBackupsContract('file-store backups, local volumes (backups under the data directory)', () =>
  fixture('data directory'),
);
describeWorkspaceBackupsContract('file-store backups, local volume (backups in the workspace private folder)', () =>
  fixture('workspace private folder'),
);
