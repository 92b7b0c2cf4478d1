import { FileStoreBackups } from '../../src/adapters/backups/FileStoreBackups';
import { InMemoryFileStore } from '../../src/adapters/in-memory/InMemoryFileStore';
import { YazlWorkspaceArchiver } from '../../src/adapters/zip/YazlWorkspaceArchiver';
import type { FileStore } from '../../src/ports/FileStore';
import { unpackZip } from '../adapters/zip/readZip';
import { ManualClock } from '../doubles/ManualClock';
import { describeWorkspaceBackupsContract } from './contracts/WorkspaceBackups.contract';

function fixture(workspace: InMemoryFileStore, store: FileStore, folder: string) {
  const clock = new ManualClock('2025-06-01T12:00:00.000Z');
  const make = () => new FileStoreBackups({ archiver: new YazlWorkspaceArchiver(workspace), store, folder, clock });
  return {
    backups: make(),
    workspace,
    advanceClock: (ms: number) => clock.advance(ms),
    unpack: unpackZip,
    reopen: async () => make(),
  };
}

describeWorkspaceBackupsContract(
  'file-store backups, in-memory stores (local layout: a store of their own)',
  async () => fixture(new InMemoryFileStore(), new InMemoryFileStore(), ''),
);

// The Azure layout: backups live in the workspace share itself, under its private folder.
describeWorkspaceBackupsContract(
  'file-store backups, in-memory Azure Files-like store (backups in the private folder)',
  async () => {
    const workspace = new InMemoryFileStore({ capabilities: { caseSensitive: false, executableBit: false } });
    return fixture(workspace, workspace, '.workspace-sync/backups');
  },
);
