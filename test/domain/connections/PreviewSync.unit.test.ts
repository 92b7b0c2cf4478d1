import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectScope } from '../../../src/domain/connections/ConnectScope';
import { PreviewSync, type PreviewSyncResult, type SyncPreview } from '../../../src/domain/connections/PreviewSync';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { SyncCommand } from '../../../src/domain/sync/SyncCommand';
import type { SyncWorkspaceResult } from '../../../src/domain/sync/SyncWorkspace';
import type { InMemoryFileSpec } from '../../doubles/InMemorySourceRepository';
import { type ConnectionWorld, connectionWorld } from '../../support/connectionWorld';
import { aSyncCommand } from '../../support/mothers';

const ORG = 'org-1' as Scope;
const FOLDER = 'orgs/org-1';
const REPO = 'acme/scripts';
const TOKEN = 'ghp_admin';

const command = (world: ConnectionWorld, trigger: SyncCommand['trigger'] = 'manual'): SyncCommand =>
  aSyncCommand({
    scope: ORG,
    trigger,
    deliveryId: globalThis.crypto.randomUUID(),
    requestedAt: world.clock.now().toISOString(),
  });

async function folderFiles(world: ConnectionWorld): Promise<string[]> {
  const entries = await world.files.list(FOLDER, { recursive: true });
  return entries
    .filter((entry) => entry.kind === 'file')
    .map((entry) => entry.path.slice(FOLDER.length + 1))
    .sort();
}

async function connect(world: ConnectionWorld, subPath = ''): Promise<SyncCommand> {
  const result = await new ConnectScope(world).execute({
    scope: ORG,
    repository: REPO,
    branch: 'main',
    subPath,
    token: TOKEN,
    confirmOverwrite: true,
    webhookBaseUrl: 'https://sync.example.com',
  });
  if (!result.ok) throw new Error(result.message);
  return world.queue.sent.at(-1)!;
}

/**
 * The claim PreviewSync makes: the sync that runs next does exactly what the preview listed, and
 * leaves the folder holding what it held minus the deletions plus the writes.
 */
async function expectSyncMatches(
  world: ConnectionWorld,
  previewed: PreviewSyncResult,
  run: () => Promise<SyncWorkspaceResult>,
): Promise<void> {
  const before = await folderFiles(world);
  const result = await run();
  if (!previewed.ok) {
    expect(previewed.code).toBe('EmptySource');
    expect(result).toMatchObject({ kind: 'failed', error: { code: 'EmptySource' } });
    expect(await folderFiles(world)).toEqual(before);
    return;
  }
  const preview = previewed.preview;
  if (result.kind !== 'completed') throw new Error(`sync ended ${result.kind}: ${JSON.stringify(result)}`);
  const [syncRun] = result.runs;
  expect(syncRun).toBeDefined();
  expect(syncRun!.status).toBe(preview.upToDate ? 'noop' : 'succeeded');
  expect(syncRun!.commitSha).toBe(preview.commitSha);
  expect(syncRun!.counts).toEqual({
    written: preview.newFiles.length + preview.overwrittenFiles.length,
    deleted: preview.deletedFiles.length,
    unchanged: preview.unchanged,
    skipped: preview.skipped.length,
    bytesWritten: preview.upToDate ? 0 : preview.bytesToWrite,
  });
  expect(syncRun!.skipped).toEqual(preview.skipped);
  const expected = new Set(before.filter((path) => !preview.deletedFiles.includes(path)));
  for (const path of [...preview.newFiles, ...preview.overwrittenFiles]) expected.add(path);
  expect(await folderFiles(world)).toEqual([...expected].sort());
}

describe('PreviewSync', () => {
  let world: ConnectionWorld;
  const preview = (input: Parameters<PreviewSync['execute']>[0]) => new PreviewSync(world).execute(input);

  beforeEach(() => {
    world = connectionWorld();
    world.publish(REPO, TOKEN);
  });

  it('previews a proposed connection without storing, registering, queueing or writing anything', async () => {
    const head = world.commit(REPO, { 'a.ps1': 'aa', 'lib/b.ps1': 'bbb', link: { symlinkTo: 'a.ps1' } });
    await world.write(`${FOLDER}/a.ps1`, 'old');
    await world.write(`${FOLDER}/stray.txt`, 's');
    const result = await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: '/', token: TOKEN });
    expect(result).toEqual({
      ok: true,
      preview: {
        scope: ORG,
        repository: REPO,
        branch: 'main',
        subPath: '',
        commitSha: head,
        upToDate: false,
        newFiles: ['lib/b.ps1'],
        overwrittenFiles: ['a.ps1'],
        deletedFiles: ['stray.txt'],
        removedFolders: [],
        unchanged: 0,
        skipped: [{ path: 'link', reason: expect.stringContaining('symbolic link') }],
        bytesToWrite: 5,
      } satisfies SyncPreview,
    });
    expect(await world.metadata.listConnections()).toEqual([]);
    expect(await world.secrets.get('github-token-org-1')).toBeNull();
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(world.queue.sent).toEqual([]);
    expect(await folderFiles(world)).toEqual(['a.ps1', 'stray.txt']);
  });

  it('equals what connecting and the first sync then do', async () => {
    world.commit(REPO, { 'scripts/a.ps1': 'aa', 'scripts/lib/b.ps1': 'bbb', 'other/c.ps1': 'c' });
    await world.write(`${FOLDER}/a.ps1`, 'aa');
    await world.write(`${FOLDER}/gone/x.ps1`, 'x');
    const previewed = await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: 'scripts', token: TOKEN });
    expect(previewed).toMatchObject({
      ok: true,
      preview: {
        overwrittenFiles: ['a.ps1'],
        newFiles: ['lib/b.ps1'],
        deletedFiles: ['gone/x.ps1'],
        removedFolders: ['gone'],
      },
    });
    const first = await connect(world, 'scripts');
    await expectSyncMatches(world, previewed, () => world.syncWorkspace().execute(first));
  });

  it('skips a file over the maximum file size as the sync does, with the same reason', async () => {
    world.commit(REPO, { 'small.ps1': 'ok', 'large.bin': 'more than eight bytes' });
    const previewed = await new PreviewSync({ ...world, maxFileBytes: 8 }).execute({
      scope: ORG,
      repository: REPO,
      branch: 'main',
      subPath: '',
      token: TOKEN,
    });
    expect(previewed).toMatchObject({
      ok: true,
      preview: {
        newFiles: ['small.ps1'],
        skipped: [
          {
            path: 'large.bin',
            reason: 'file of 21 bytes is larger than the maximum file size of 8 bytes: not mirrored',
          },
        ],
        bytesToWrite: 2,
      },
    });
    const first = await connect(world);
    await expectSyncMatches(world, previewed, () => world.syncWorkspace({ maxFileBytes: 8 }).execute(first));
  });

  it('equals what the next sync of an existing connection does, drift in the folder included', async () => {
    world.commit(REPO, {
      'keep.ps1': 'k',
      'change.ps1': 'v1',
      'drop.ps1': 'd',
      'tools/run.sh': { content: '#!/bin/sh', executable: true },
    });
    await world.syncWorkspace().execute(await connect(world));
    world.commit(REPO, {
      'keep.ps1': 'k',
      'change.ps1': 'v2 longer',
      'new/added.ps1': 'n',
      'tools/run.sh': { content: '#!/bin/sh', executable: true },
    });
    await world.write(`${FOLDER}/keep.ps1`, 'edited by hand');
    await world.write(`${FOLDER}/local.txt`, 'l');

    const previewed = await preview({ scope: ORG });
    expect(previewed).toMatchObject({
      ok: true,
      preview: {
        upToDate: false,
        newFiles: ['new/added.ps1'],
        overwrittenFiles: ['change.ps1', 'keep.ps1'],
        deletedFiles: ['drop.ps1', 'local.txt'],
        unchanged: 1,
      },
    });
    await expectSyncMatches(world, previewed, () => world.syncWorkspace().execute(command(world)));
  });

  it('says up to date when the folder holds the head, as the sync finds', async () => {
    world.commit(REPO, { 'a.ps1': 'a', 'b/c.ps1': 'c' });
    await world.syncWorkspace().execute(await connect(world));
    const previewed = await preview({ scope: ORG });
    expect(previewed).toMatchObject({
      ok: true,
      preview: { upToDate: true, unchanged: 2, newFiles: [], deletedFiles: [] },
    });
    await expectSyncMatches(world, previewed, () => world.syncWorkspace().execute(command(world)));
  });

  it('reports EmptySource, as the sync refuses, when the branch has no file to mirror but the folder has', async () => {
    world.commit(REPO, { 'a.ps1': 'a' });
    await world.syncWorkspace().execute(await connect(world));
    world.commit(REPO, { link: { symlinkTo: 'nowhere' } });
    const previewed = await preview({ scope: ORG });
    expect(previewed).toMatchObject({ ok: false, code: 'EmptySource', retryable: false });
    await expectSyncMatches(world, previewed, () => world.syncWorkspace().execute(command(world)));
  });

  it('explains why it cannot preview', async () => {
    world.commit(REPO, { 'a.ps1': 'a' });
    expect(await preview({ scope: ORG })).toMatchObject({ ok: false, code: 'NotConnected' });
    expect(await preview({ scope: ORG, repository: 'nope', branch: 'main', subPath: '', token: TOKEN })).toMatchObject({
      ok: false,
      code: 'InvalidRepository',
    });
    expect(await preview({ scope: ORG, repository: REPO, branch: 'x y', subPath: '', token: TOKEN })).toMatchObject({
      ok: false,
      code: 'InvalidBranch',
    });
    expect(
      await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: 'a/../../b', token: TOKEN }),
    ).toMatchObject({ ok: false, code: 'InvalidSubPath' });
    expect(
      await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: '', token: 'ghp_wrong' }),
    ).toMatchObject({ ok: false, code: 'TokenRejected' });
    expect(await preview({ scope: ORG, repository: REPO, branch: 'dev', subPath: '', token: TOKEN })).toMatchObject({
      ok: false,
      code: 'BranchNotFound',
    });
    expect(
      await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: 'missing', token: TOKEN }),
    ).toMatchObject({ ok: false, code: 'SubPathNotFound' });
    world.admin.failNext('Unavailable');
    expect(await preview({ scope: ORG, repository: REPO, branch: 'main', subPath: '', token: TOKEN })).toMatchObject({
      ok: false,
      code: 'GitHubUnavailable',
      retryable: true,
    });
    await connect(world);
    await world.metadata.saveConnection({ ...(await world.metadata.getConnection(ORG))!, tokenRef: 'lost' });
    expect(await preview({ scope: ORG })).toMatchObject({ ok: false, code: 'TokenMissing' });
  });

  describe('property: the next sync does what the preview said', () => {
    const PATHS = [
      'a.ps1',
      'A.PS1',
      'b.txt',
      'dir/c.ps1',
      'dir/d.ps1',
      'dir/sub/e.ps1',
      'Dir/f.ps1',
      'lib/g.ps1',
    ] as const;
    const LOCAL_PATHS = [...PATHS, 'extra.txt', 'dir/extra.txt', 'lib', 'dir/sub', 'b.txt/inner.txt'] as const;
    const content = fc.constantFrom('1', '22', '333', '#!/bin/sh\n');
    const spec = fc.oneof(
      { weight: 6, arbitrary: content.map((text): InMemoryFileSpec => text) },
      { weight: 2, arbitrary: content.map((text): InMemoryFileSpec => ({ content: text, executable: true })) },
      { weight: 1, arbitrary: fc.constant<InMemoryFileSpec>({ symlinkTo: 'a.ps1' }) },
    );
    const snapshot = fc.dictionary(fc.constantFrom(...PATHS), spec, { maxKeys: PATHS.length });
    const drift = fc.oneof(
      fc.constant([]),
      fc.array(fc.record({ path: fc.constantFrom(...LOCAL_PATHS), content: fc.option(content, { nil: null }) }), {
        minLength: 1,
        maxLength: 4,
      }),
    );
    const scenario = fc.record({
      caseSensitive: fc.boolean(),
      subPath: fc.constantFrom('', 'dir'),
      first: fc.option(snapshot, { nil: null, freq: 4 }),
      drift,
      /** null: no new commit since the first sync. */
      second: fc.option(snapshot, { nil: null, freq: 3 }),
      proposed: fc.boolean(),
    });

    it('for existing and proposed connections, on case-sensitive and case-insensitive stores', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const w = connectionWorld({ capabilities: { caseSensitive: s.caseSensitive } });
          w.publish(REPO, TOKEN);
          if (s.first) {
            w.commit(REPO, { ...s.first, 'dir/keep.ps1': 'k' });
            await w.syncWorkspace().execute(await connect(w, s.subPath));
          }
          for (const change of s.drift) {
            const path = `${FOLDER}/${change.path}`;
            // Drift the store cannot hold (a file inside a file, say) is simply not applied.
            await (change.content === null ? w.files.delete(path) : w.write(path, change.content)).catch(
              () => undefined,
            );
          }
          if (s.second || !s.first) w.commit(REPO, { ...(s.second ?? {}), 'dir/keep.ps1': 'k' });

          const input =
            s.proposed || !s.first
              ? { scope: ORG, repository: REPO, branch: 'main', subPath: s.subPath, token: TOKEN }
              : { scope: ORG };
          const previewed = await new PreviewSync(w).execute(input);
          const run = async () => {
            if (!('repository' in input)) return w.syncWorkspace().execute(command(w));
            if (s.first) await w.metadata.deleteConnection(ORG);
            return w.syncWorkspace().execute(await connect(w, s.subPath));
          };
          await expectSyncMatches(w, previewed, run);
        }),
        { numRuns: 60 },
      );
    });
  });
});
