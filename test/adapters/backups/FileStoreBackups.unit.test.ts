import { describe, expect, it } from 'vitest';
import { newBackupId, parseBackupId } from '../../../src/adapters/backups/BackupId';
import { FileStoreBackups } from '../../../src/adapters/backups/FileStoreBackups';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { YazlWorkspaceArchiver } from '../../../src/adapters/zip/YazlWorkspaceArchiver';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import { FileStoreError } from '../../../src/ports/FileStore';
import type { ArchiveRoot, WorkspaceArchiver } from '../../../src/ports/WorkspaceArchiver';
import { ManualClock } from '../../doubles/ManualClock';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const ORG = 'org-42' as Scope;

async function setup(archiver?: (workspace: InMemoryFileStore) => WorkspaceArchiver, keepPerScope?: number) {
  const workspace = new InMemoryFileStore();
  await workspace.write('global/run.sh', text('#!/bin/sh\n'), { executable: true });
  await workspace.write(`orgs/${ORG}/a.ps1`, text('Write-Host 42'));
  const store = new InMemoryFileStore();
  const clock = new ManualClock('2025-06-01T12:00:00.000Z');
  const backups = new FileStoreBackups({
    archiver: archiver?.(workspace) ?? new YazlWorkspaceArchiver(workspace),
    store,
    folder: 'backups',
    clock,
    ...(keepPerScope === undefined ? {} : { keepPerScope }),
  });
  const files = async () =>
    (await store.list('', { recursive: true })).filter((entry) => entry.kind === 'file').map((entry) => entry.path);
  return { workspace, store, clock, backups, files };
}

/** An archiver that hands out a few chunks, then stops at a gate the test opens, then maybe fails. */
function gatedArchiver(options: { fail?: Error }) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  const archiver: WorkspaceArchiver = {
    async *zip(_roots: readonly ArchiveRoot[]) {
      yield text('PK first part');
      started();
      await gate;
      if (options.fail) throw options.fail;
      yield text('second part');
    },
  };
  return { archiver, open, reading };
}

describe('FileStoreBackups', () => {
  it('keeps only the newest backups of each scope when told how many, leaving other scopes alone', async () => {
    const { backups, clock, files } = await setup(undefined, 2);
    const global = await backups.create(GLOBAL_SCOPE, 'global');
    const made = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      made.push(await backups.create(ORG, `edit ${i}`));
    }
    expect((await backups.list(ORG)).map((info) => info.reason)).toEqual(['edit 3', 'edit 2']);
    expect((await backups.list(GLOBAL_SCOPE)).map((info) => info.id)).toEqual([global.id]);
    expect(await backups.open(made[0]!.id)).toBeNull();
    expect((await files()).length).toBe(2 * 3); // a zip and a sidecar per kept backup
  });

  it('keeps each backup as <id>.zip and a small <id>.json sidecar in its folder', async () => {
    const { backups, store, files } = await setup();
    const info = await backups.create(GLOBAL_SCOPE, 'layout');
    expect((await files()).sort()).toEqual([`backups/${info.id}.json`, `backups/${info.id}.zip`]);
    const sidecar = JSON.parse(new TextDecoder().decode((await store.read(`backups/${info.id}.json`))!)) as Record<
      string,
      unknown
    >;
    expect(sidecar).toEqual({
      id: info.id,
      scope: 'GLOBAL',
      createdAt: '2025-06-01T12:00:00.000Z',
      reason: 'layout',
      size: info.size,
    });
    expect((await store.stat(`backups/${info.id}.zip`))?.size).toBe(info.size);
  });

  it('shows nothing while a backup is being written, and the backup once it is whole', async () => {
    const gated = gatedArchiver({});
    const { backups, files } = await setup(() => gated.archiver);
    const creating = backups.create(ORG, 'slow');
    await gated.reading;
    expect(await backups.list()).toEqual([]);
    expect(await files()).toEqual([]);
    gated.open();
    const info = await creating;
    expect(await backups.list()).toEqual([info]);
  });

  it('leaves nothing behind when the archive fails halfway', async () => {
    const gated = gatedArchiver({ fail: new FileStoreError('NotFound', "'orgs/org-42/a.ps1' vanished") });
    const { backups, files } = await setup(() => gated.archiver);
    const creating = backups.create(ORG, 'doomed');
    await gated.reading;
    gated.open();
    await expect(creating).rejects.toThrow('vanished');
    expect(await backups.list()).toEqual([]);
    expect(await files()).toEqual([]);
  });

  it('fails, and lists nothing, when a file of the scope cannot be read', async () => {
    const { backups, workspace, files } = await setup();
    workspace.failNext('read', new FileStoreError('Unavailable', 'share went away'));
    await expect(backups.create(GLOBAL_SCOPE, 'doomed')).rejects.toThrow('share went away');
    expect(await backups.list()).toEqual([]);
    expect(await files()).toEqual([]);
  });

  it('removes the archive again when the sidecar cannot be written', async () => {
    const { backups, store, files } = await setup();
    let writes = 0;
    const write = store.write.bind(store);
    store.write = async (...args) => {
      if (++writes === 2) throw new FileStoreError('Unavailable', 'sidecar write failed');
      return write(...args);
    };
    await expect(backups.create(GLOBAL_SCOPE, 'half')).rejects.toThrow('sidecar write failed');
    expect(await files()).toEqual([]);
    expect(await backups.list()).toEqual([]);
  });

  it('ignores an archive without sidecar, a sidecar without archive and a sidecar that names another backup', async () => {
    const { backups, store, clock } = await setup();
    const kept = await backups.create(ORG, 'kept');
    clock.advance(1_000);
    const noSidecar = await backups.create(ORG, 'no sidecar');
    await store.delete(`backups/${noSidecar.id}.json`);
    clock.advance(1_000);
    const noArchive = await backups.create(ORG, 'no archive');
    await store.delete(`backups/${noArchive.id}.zip`);
    clock.advance(1_000);
    const swapped = await backups.create(ORG, 'swapped');
    await store.write(`backups/${swapped.id}.json`, (await store.read(`backups/${kept.id}.json`))!);
    await store.write('backups/notes.txt', text('not a backup'));
    await store.write('backups/garbage.json', text('{'));

    expect(await backups.list()).toEqual([kept]);
    expect(await backups.open(noSidecar.id)).toBeNull();
    expect(await backups.open(noArchive.id)).toBeNull();
    expect(await backups.open(swapped.id)).toBeNull();
    expect(await backups.open('garbage')).toBeNull();
  });
});

describe('backup ids', () => {
  it('name their scope and time, and read back', () => {
    const at = new Date('2025-06-01T12:34:56.789Z');
    const id = newBackupId(ORG, at);
    expect(id).toMatch(/^20250601T123456789Z\.org-42\.[0-9a-f]{12}$/);
    expect(parseBackupId(id)).toEqual({ scope: ORG, createdAt: at });
    expect(parseBackupId(newBackupId(GLOBAL_SCOPE, at))?.scope).toBe(GLOBAL_SCOPE);
  });

  it('are unique for one scope and instant', () => {
    const at = new Date();
    const ids = new Set(Array.from({ length: 1_000 }, () => newBackupId(ORG, at)));
    expect(ids.size).toBe(1_000);
  });

  it('refuse impossible times, bad scopes and anything else', () => {
    for (const id of [
      '20251301T000000000Z.org-42.0123456789ab', // month 13
      '20250230T000000000Z.org-42.0123456789ab', // 30 February
      '20250601T250000000Z.org-42.0123456789ab',
      '20250601T120000000Z.-org.0123456789ab',
      '20250601T120000000Z.org.42.0123456789ab',
      '20250601T120000000Z.org-42.0123456789AB',
      '20250601T120000000Z.org-42.0123456789a',
      '20250601T120000000Z..0123456789ab',
      '',
    ]) {
      expect(parseBackupId(id), id).toBeNull();
    }
  });
});
