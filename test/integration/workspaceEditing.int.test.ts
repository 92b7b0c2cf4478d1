import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableMetadataRepo } from '../../src/adapters/azure-tables/TableMetadataRepo';
import { LocalVolumeFileStore } from '../../src/adapters/local-volume/LocalVolumeFileStore';
import { RandomIdGenerator } from '../../src/adapters/system/RandomIdGenerator';
import { SystemClock } from '../../src/adapters/system/SystemClock';
import type { Scope } from '../../src/domain/shared/Scope';
import { BrowseWorkspace } from '../../src/domain/workspace/BrowseWorkspace';
import { contentTag } from '../../src/domain/workspace/ContentTag';
import { EditWorkspace } from '../../src/domain/workspace/EditWorkspace';
import type { WorkspaceResult } from '../../src/domain/workspace/WorkspaceResult';
import type { FileStore } from '../../src/ports/FileStore';
import { metadataFixtures } from '../ports/contracts/MetadataRepo.contract';
import { uniqueTablePrefix, useAzurite } from '../support/azurite';
import { snapshotFolder } from '../support/folderSnapshot';

const azurite = useAzurite();
const ORG = 'org-7' as Scope;
const FOLDER = 'orgs/org-7';
const quickSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 10)));
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function successValue<T>(result: WorkspaceResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.value;
}
const codeOf = (result: WorkspaceResult<unknown>): string => (result.ok ? 'ok' : result.code);

/** Manual editing over the local volume and the Azure Tables metadata on Azurite. */
describe('workspace editing on LocalVolumeFileStore + Azure Tables', () => {
  let root: string;
  let files: LocalVolumeFileStore;
  let metadata: TableMetadataRepo;
  const clock = new SystemClock();
  const ids = new RandomIdGenerator();
  const editor = (holderId: string, store: FileStore = files) =>
    new EditWorkspace({
      files: store,
      metadata,
      clock,
      ids,
      settings: { holderId, leaseTtlMs: 30_000 },
      sleep: quickSleep,
    });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'workspace-editing-'));
    files = await LocalVolumeFileStore.open(root);
    metadata = new TableMetadataRepo({ connectionString: azurite.connectionString, tablePrefix: uniqueTablePrefix() });
    await metadata.ensureTables();
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('saves, lists, reads, moves and deletes, leaving exactly those files on disk', async () => {
    const edit = editor('host-a');
    const browse = new BrowseWorkspace({ files });
    const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i * 167 + 13) & 0xff);
    const saved = successValue(await edit.save(ORG, 'bin/tool.bin', binary, { executable: true }));
    expect(saved).toMatchObject({ created: true, size: 4096, etag: createHash('sha256').update(binary).digest('hex') });
    successValue(await edit.save(ORG, 'scripts/ünï/run.ps1', text('Write-Host hi')));
    successValue(await edit.createFolder(ORG, 'empty/nested'));

    expect(successValue(await browse.list(ORG, '', { recursive: true })).map((e) => `${e.kind[0]} ${e.path}`)).toEqual([
      'd bin',
      'f bin/tool.bin',
      'd empty',
      'd empty/nested',
      'd scripts',
      'd scripts/ünï',
      'f scripts/ünï/run.ps1',
    ]);
    const read = successValue(await browse.read(ORG, 'bin/tool.bin'));
    expect(Buffer.from(read.content).equals(Buffer.from(binary))).toBe(true);
    expect(read).toMatchObject({ etag: saved.etag, executable: true, size: 4096 });
    expect((await stat(join(root, FOLDER, 'bin/tool.bin'))).mode & 0o777).toBe(0o700); // executable for the service's user only

    successValue(await edit.move(ORG, 'scripts', 'workflows'));
    expect(codeOf(await edit.deleteFolder(ORG, 'workflows'))).toBe('FolderNotEmpty');
    successValue(await edit.deleteFile(ORG, 'bin/tool.bin', { ifMatch: saved.etag }));
    successValue(await edit.deleteFolder(ORG, 'empty', { recursive: true }));

    const disk = await snapshotFolder(join(root, FOLDER));
    expect([...disk.keys()]).toEqual(['bin', 'workflows', 'workflows/ünï', 'workflows/ünï/run.ps1']);
    expect(disk.get('workflows/ünï/run.ps1')?.sha256).toBe(await contentTag(text('Write-Host hi')));
  });

  it('refuses writes while a connection is stored, and accepts them right after it is deleted', async () => {
    const edit = editor('host-a');
    await metadata.saveConnection(metadataFixtures.fullConnection(ORG));
    expect(codeOf(await edit.save(ORG, 'gh.txt', text('x')))).toBe('GitHubSyncEnabled');
    expect(codeOf(await edit.createFolder(ORG, 'gh'))).toBe('GitHubSyncEnabled');
    await metadata.deleteConnection(ORG);
    expect(codeOf(await edit.save(ORG, 'gh.txt', text('x')))).toBe('ok');
  });

  it('marks the manifest in Tables dirty after an edit', async () => {
    await metadata.saveManifest({ scope: ORG, commitSha: 'c'.repeat(40), entries: metadataFixtures.entries(3) });
    successValue(await editor('host-a').save(ORG, 'dirty.txt', text('x')));
    expect((await metadata.getManifest(ORG))?.dirty).toBe(true);
  });

  it('answers ScopeBusy while a sync holds the lease in Tables, and works once it is released', async () => {
    const held = await metadata.acquireLease(ORG, 'sync-worker', clock.now(), 60_000);
    if (held.kind !== 'acquired') throw new Error('setup: lease not free');
    const edit = new EditWorkspace({
      files,
      metadata,
      clock,
      ids,
      settings: { holderId: 'host-a', leaseTtlMs: 30_000, lockWaitMs: 300 },
      sleep: quickSleep,
    });
    expect(codeOf(await edit.save(ORG, 'busy.txt', text('x')))).toBe('ScopeBusy');
    // A waiting edit leaves no pending mark (it asks again itself), so the sync releases at once.
    expect((await metadata.releaseLease(held.lease, clock.now(), 60_000)).kind).toBe('released');
    expect(codeOf(await edit.save(ORG, 'busy.txt', text('x')))).toBe('ok');
  });

  it('lets exactly one of two hosts saving with the same If-Match win', async () => {
    const hostA = editor('host-a');
    const hostB = editor('host-b');
    const browse = new BrowseWorkspace({ files });
    successValue(await hostA.save(ORG, 'race.txt', text('base')));
    for (let round = 0; round < 4; round += 1) {
      const { etag } = successValue(await browse.read(ORG, 'race.txt'));
      const [a, b] = await Promise.all([
        hostA.save(ORG, 'race.txt', text(`A${round}`), { ifMatch: etag }),
        hostB.save(ORG, 'race.txt', text(`B${round}`), { ifMatch: etag }),
      ]);
      expect([codeOf(a), codeOf(b)].sort()).toEqual(['PreconditionFailed', 'ok']);
      const content = new TextDecoder().decode(successValue(await browse.read(ORG, 'race.txt')).content);
      expect(content).toBe(a.ok ? `A${round}` : `B${round}`);
    }
  });

  it('shows a reader the whole old or the whole new bytes of a large file being saved', async () => {
    const edit = editor('host-a');
    const browse = new BrowseWorkspace({ files });
    const size = 8 * 1024 * 1024;
    const versions = [0x11, 0x5a].map((seed) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 1) bytes[i] = (i * seed + (i >>> 12)) & 0xff;
      return bytes;
    });
    const tags = await Promise.all(versions.map((bytes) => contentTag(bytes)));
    successValue(await edit.save(ORG, 'big/data.bin', versions[0]!));

    let writing = true;
    let reads = 0;
    let readerStopped = false;
    const seen = new Map<string, number>();
    const reader = (async () => {
      while (writing) {
        const file = successValue(await browse.read(ORG, 'big/data.bin'));
        expect(file.size).toBe(size);
        seen.set(file.etag, (seen.get(file.etag) ?? 0) + 1);
        reads += 1;
      }
    })().finally(() => {
      readerStopped = true;
    });
    try {
      for (let i = 1; i <= 6; i += 1) {
        successValue(await edit.save(ORG, 'big/data.bin', versions[i % 2]!));
        // Let the reader finish one more read, so it sees every version while the next save runs.
        const target = reads + 1;
        while (reads < target && !readerStopped) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      writing = false;
    }
    await reader;
    expect([...seen.keys()].every((tag) => tags.includes(tag))).toBe(true);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(2);
    expect(seen.size).toBe(2); // the reads overlapped the saves
  });

  it('never touches anything outside the scope folder on the real volume, whatever the paths', async () => {
    const fuzzRoot = await mkdtemp(join(tmpdir(), 'workspace-fuzz-'));
    try {
      const store = await LocalVolumeFileStore.open(fuzzRoot);
      await store.write('orgs/org-70/secret.txt', text('sibling with a common prefix'));
      await store.write('orgs/org-8/secret.txt', text('another scope'), { executable: true });
      await store.write('global/secret.txt', text('global'));
      await store.write('orgs.txt', text('root file'));
      await store.write(`${FOLDER}/inside/keep.txt`, text('keep'));
      const inScope = (path: string) => path === FOLDER || path.startsWith(`${FOLDER}/`);
      const before = await snapshotFolder(fuzzRoot, { skip: inScope });
      const edit = editor('host-fuzz', store);
      const browse = new BrowseWorkspace({ files: store });
      const piece = fc.oneof(
        fc.constantFrom(
          '..',
          '.',
          '',
          '\\',
          '\u0000',
          'a',
          'é',
          'e\u0301',
          '😀',
          'CON',
          'C:',
          'org-8',
          'orgs',
          '.workspace-sync',
          'tmp',
          'inside',
          'z'.repeat(260),
        ),
        fc.string({ unit: 'binary', maxLength: 6 }),
      );
      const path = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join('/'));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(5), path, path), { minLength: 1, maxLength: 4 }), async (steps) => {
          for (const [kind, a, b] of steps) {
            const result: WorkspaceResult<unknown> = await [
              () => edit.save(ORG, a, text(a)),
              () => edit.deleteFile(ORG, a),
              () => edit.createFolder(ORG, a),
              () => edit.deleteFolder(ORG, a, { recursive: true }),
              () => edit.move(ORG, a, b, { overwrite: true }),
              () => browse.list(ORG, a, { recursive: true }),
            ][kind]!();
            expect(typeof result.ok).toBe('boolean');
          }
          expect(await snapshotFolder(fuzzRoot, { skip: inScope })).toEqual(before);
        }),
        { numRuns: 40 },
      );
    } finally {
      await rm(fuzzRoot, { recursive: true, force: true });
    }
  });
});
