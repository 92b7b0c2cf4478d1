import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStoreBackups } from '../../../src/adapters/backups/FileStoreBackups';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { YazlWorkspaceArchiver } from '../../../src/adapters/zip/YazlWorkspaceArchiver';
import type { Scope } from '../../../src/domain/shared/Scope';
import { ManualClock } from '../../doubles/ManualClock';
import { collectBytes, readZip } from '../zip/readZip';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const ORG = 'org-a' as Scope;
const LINKED = 'org-linked' as Scope;

/** Backups on a local disk: what they hold when links are planted, and who may read them. */
describe('FileStoreBackups on a local volume', () => {
  let parent: string;
  let workspaceRoot: string;
  let outside: string;
  let workspace: LocalVolumeFileStore;

  beforeEach(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-backups-'));
    workspaceRoot = path.join(parent, 'workspace');
    outside = path.join(parent, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'victim.ps1'), 'outside the workspace');
    workspace = await LocalVolumeFileStore.open(workspaceRoot);
    await workspace.write(`orgs/${ORG}/own.ps1`, text('mine'));
    await workspace.write('orgs/org-b/secret.ps1', text('organisation b'));
    await fs.symlink('../org-b', path.join(workspaceRoot, 'orgs', ORG, 'link'));
    await fs.symlink(outside, path.join(workspaceRoot, 'orgs', ORG, 'abs'));
    await fs.symlink(outside, path.join(workspaceRoot, 'orgs', LINKED));
  });

  afterEach(async () => {
    await fs.rm(parent, { recursive: true, force: true });
  });

  const backupsIn = (store: LocalVolumeFileStore, folder: string) =>
    new FileStoreBackups({
      archiver: new YazlWorkspaceArchiver(workspace),
      store,
      folder,
      clock: new ManualClock('2025-06-01T12:00:00.000Z'),
    });

  it("holds the scope's own files, never a link's target, and a linked scope folder backs up empty", async () => {
    const backups = backupsIn(workspace, '.workspace-sync/backups');
    const own = await backups.create(ORG, 'before sync');
    const opened = await backups.open(own.id);
    expect([...(await readZip(await collectBytes(opened!.content))).keys()]).toEqual(['own.ps1']);

    const linked = await backups.create(LINKED, 'before sync');
    const linkedOpened = await backups.open(linked.id);
    expect([...(await readZip(await collectBytes(linkedOpened!.content))).keys()]).toEqual([]);
  });

  it('keeps backups readable by the service only, in the workspace private folder and in a folder of their own', async () => {
    const inWorkspace = await backupsIn(workspace, '.workspace-sync/backups').create(ORG, 'before sync');
    const privateFolder = path.join(workspaceRoot, '.workspace-sync');
    expect((await fs.stat(privateFolder)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(privateFolder, 'backups'))).mode & 0o777).toBe(0o700);
    for (const extension of ['.zip', '.json']) {
      expect((await fs.stat(path.join(privateFolder, 'backups', `${inWorkspace.id}${extension}`))).mode & 0o777).toBe(
        0o600,
      );
    }

    const backupsDir = path.join(parent, 'data', 'backups');
    const own = await LocalVolumeFileStore.open(backupsDir, { ownedByService: true });
    const separate = await backupsIn(own, '').create(ORG, 'before sync');
    expect((await fs.stat(backupsDir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(backupsDir, `${separate.id}.zip`))).mode & 0o777).toBe(0o600);
  });
});
