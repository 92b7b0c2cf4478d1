import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import type { FileStore } from '../../../src/ports/FileStore';
import type { BackupInfo, OpenedBackup, WorkspaceBackups } from '../../../src/ports/WorkspaceBackups';

/** One entry of an unpacked archive: a file's bytes and executable bit, or a folder. */
export type ArchiveEntry =
  | { readonly kind: 'file'; readonly bytes: Uint8Array; readonly executable: boolean }
  | { readonly kind: 'directory' };

export interface WorkspaceBackupsFixture {
  readonly backups: WorkspaceBackups;
  /** The workspace the backups are taken of; empty at the start. */
  readonly workspace: FileStore;
  /** Moves the fixture's clock forward. */
  readonly advanceClock: (ms: number) => void;
  /** Unpacks an archive (its format is the adapter's business) into path -> entry. */
  readonly unpack: (content: AsyncIterable<Uint8Array>) => Promise<Map<string, ArchiveEntry>>;
  /** Another instance over the same storage, as a restarted process would build it. */
  readonly reopen?: () => Promise<WorkspaceBackups>;
  readonly cleanup?: () => Promise<void>;
}

const ORG = 'org-42' as Scope;
const OTHER_ORG = 'org-7' as Scope;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const asText = (entry: ArchiveEntry | undefined): string | undefined =>
  entry?.kind === 'file' ? new TextDecoder().decode(entry.bytes) : undefined;

/**
 * The behaviour every WorkspaceBackups adapter must show. `makeFixture` returns fresh backups of a
 * fresh, empty workspace for each test.
 */
/** Opens a backup only to look at its record, closing the archive it holds open. */
async function openAndClose(backups: WorkspaceBackups, id: string): Promise<OpenedBackup | null> {
  const opened = await backups.open(id);
  await opened?.content[Symbol.asyncIterator]().return?.();
  return opened;
}

export function describeWorkspaceBackupsContract(
  name: string,
  makeFixture: () => Promise<WorkspaceBackupsFixture>,
): void {
  describe(`WorkspaceBackups contract: ${name}`, () => {
    let fixture: WorkspaceBackupsFixture;
    let backups: WorkspaceBackups;
    let workspace: FileStore;

    beforeEach(async () => {
      fixture = await makeFixture();
      backups = fixture.backups;
      workspace = fixture.workspace;
      await workspace.write('global/run.sh', text('#!/bin/sh\necho global\n'), { executable: true });
      await workspace.write('global/lib/util.py', text('def util():\n    return 1\n'));
      await workspace.createDirectory('global/empty');
      await workspace.write(`orgs/${ORG}/main.ps1`, text('Write-Host 42'));
      await workspace.write(`orgs/${OTHER_ORG}/main.ps1`, text('Write-Host 7'));
    });

    afterEach(async () => {
      await fixture.cleanup?.();
    });

    async function unpacked(id: string): Promise<Map<string, ArchiveEntry>> {
      const opened = await backups.open(id);
      expect(opened).not.toBeNull();
      return fixture.unpack(opened!.content);
    }

    it('describes a new backup: its scope, reason, time, size and a URL- and path-safe id', async () => {
      const info = await backups.create(GLOBAL_SCOPE, 'before sync of 1a2b3c');
      expect(info).toMatchObject({ scope: GLOBAL_SCOPE, reason: 'before sync of 1a2b3c' });
      expect(info.createdAt).toBeInstanceOf(Date);
      expect(info.size).toBeGreaterThan(0);
      expect(info.id).toMatch(/^[A-Za-z0-9._-]{1,200}$/);
      expect(['.', '..']).not.toContain(info.id);
      expect(encodeURIComponent(info.id)).toBe(info.id);
    });

    it('lists and opens a backup that holds the scope folder as it was, and nothing else', async () => {
      const info = await backups.create(GLOBAL_SCOPE, 'manual');
      expect(await backups.list()).toEqual([info]);
      const opened = await backups.open(info.id);
      expect(opened?.info).toEqual(info);

      const entries = await fixture.unpack(opened!.content);
      expect([...entries.keys()].sort()).toEqual(['empty', 'lib', 'lib/util.py', 'run.sh']);
      expect(asText(entries.get('lib/util.py'))).toBe('def util():\n    return 1\n');
      expect(entries.get('run.sh')).toMatchObject({ kind: 'file', executable: workspace.capabilities.executableBit });
      expect(entries.get('lib/util.py')).toMatchObject({ executable: false });
      expect(entries.get('empty')).toEqual({ kind: 'directory' });
    });

    it('keeps the folder as it was when the backup was taken', async () => {
      const info = await backups.create(ORG, 'before edit');
      await workspace.write(`orgs/${ORG}/main.ps1`, text('Write-Host changed'));
      await workspace.write(`orgs/${ORG}/added.ps1`, text('new'));
      const entries = await unpacked(info.id);
      expect([...entries.keys()]).toEqual(['main.ps1']);
      expect(asText(entries.get('main.ps1'))).toBe('Write-Host 42');
    });

    it('gives an archive that can be opened and read more than once', async () => {
      const info = await backups.create(ORG, 'twice');
      expect(asText((await unpacked(info.id)).get('main.ps1'))).toBe('Write-Host 42');
      expect(asText((await unpacked(info.id)).get('main.ps1'))).toBe('Write-Host 42');
    });

    it('lists newest first, and only the asked scope when one is given', async () => {
      const first = await backups.create(ORG, 'first');
      fixture.advanceClock(1_000);
      const global = await backups.create(GLOBAL_SCOPE, 'global');
      fixture.advanceClock(1_000);
      const second = await backups.create(ORG, 'second');
      fixture.advanceClock(1_000);
      const other = await backups.create(OTHER_ORG, 'other');

      expect((await backups.list()).map((info) => info.reason)).toEqual(['other', 'second', 'global', 'first']);
      expect(await backups.list(ORG)).toEqual([second, first]);
      expect(await backups.list(GLOBAL_SCOPE)).toEqual([global]);
      expect(await backups.list(OTHER_ORG)).toEqual([other]);
      expect(await backups.list('org-none' as Scope)).toEqual([]);
      expect(second.createdAt.getTime() - first.createdAt.getTime()).toBe(2_000);
    });

    it('gives distinct ids to backups taken in the same instant', async () => {
      const infos = await Promise.all(Array.from({ length: 5 }, (_, i) => backups.create(ORG, `same instant ${i}`)));
      expect(new Set(infos.map((info) => info.id)).size).toBe(5);
      expect((await backups.list(ORG)).map((info) => info.id).sort()).toEqual(infos.map((info) => info.id).sort());
    });

    it('backs up a scope without a folder as an empty archive', async () => {
      const scope = 'org-without-files' as Scope;
      const info = await backups.create(scope, 'nothing yet');
      expect(await backups.list(scope)).toEqual([info]);
      expect((await unpacked(info.id)).size).toBe(0);
    });

    it('keeps the reason exactly as given', async () => {
      const reason = 'quotes " \' back\\slash\nnew line ✓ 秘密 {"json":true}';
      const info = await backups.create(ORG, reason);
      expect((await openAndClose(backups, info.id))?.info.reason).toBe(reason);
      expect((await backups.list(ORG))[0]?.reason).toBe(reason);
    });

    it('answers null for ids it never gave out, malformed or path-like ones included', async () => {
      const info = await backups.create(ORG, 'real');
      const unknownButWellFormed = info.id.replace(/[0-9a-f]$/, (last) => (last === '0' ? '1' : '0'));
      const bad = [
        '',
        '.',
        '..',
        '../etc/passwd',
        `${info.id}/../${info.id}`,
        `../${info.id}`,
        `${info.id}.zip`,
        `${info.id}.json`,
        info.id.toUpperCase() === info.id ? `${info.id}x` : info.id.toUpperCase(),
        ` ${info.id}`,
        `${info.id}\0`,
        '%2e%2e%2fescape',
        'x'.repeat(10_000),
        unknownButWellFormed,
      ];
      for (const id of bad) expect(await openAndClose(backups, id), JSON.stringify(id.slice(0, 80))).toBeNull();
      expect(await openAndClose(backups, info.id)).not.toBeNull();
    });

    it('keeps backups across a restart', async () => {
      if (fixture.reopen === undefined) return;
      const info = await backups.create(GLOBAL_SCOPE, 'durable');
      const reopened = await fixture.reopen();
      expect(await reopened.list()).toEqual([info]);
      const opened = await reopened.open(info.id);
      expect(opened?.info).toEqual(info);
      expect([...(await fixture.unpack(opened!.content)).keys()]).toContain('run.sh');
    });

    it('reports sizes that match the archive', async () => {
      const info: BackupInfo = await backups.create(GLOBAL_SCOPE, 'sized');
      let bytes = 0;
      for await (const chunk of (await backups.open(info.id))!.content) bytes += chunk.byteLength;
      expect(bytes).toBe(info.size);
    });
  });
}
