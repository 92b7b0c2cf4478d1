import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotFolder } from '../support/folderSnapshot';
import type { GitRepo } from '../support/gitRepo';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/scripts';
const OTHER_REPO = 'acme/org2-scripts';
const SUBST_REPO = 'acme/subst';
const SUBST_SCOPE = 'org-subst';
/** Small enough that a test file can pass it; large enough for a file streamed in many chunks. */
const MAX_FILE_BYTES = 3 * 1024 * 1024;
const LFS_POINTER =
  'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';

/** Webhook → queue → worker → folder, through the local host, Azurite and the GitHub peer. */
describe('sync through a signed webhook', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  let other: GitRepo;
  let subst: GitRepo;

  beforeAll(async () => {
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
    other = await h.repo(OTHER_REPO);
    subst = await h.repo(SUBST_REPO);
    await other.write('org2.py', 'print("org 2")\n');
    await other.commit('org 2 initial');
    await h.start(
      [
        { scope: 'GLOBAL', repository: REPO },
        { scope: 'org-2', repository: OTHER_REPO },
        { scope: SUBST_SCOPE, repository: SUBST_REPO },
        { scope: 'org-3', repository: REPO },
      ],
      { SYNC_MAX_FILE_BYTES: String(MAX_FILE_BYTES) },
    );
  });
  afterAll(async () => {
    await h?.dispose();
  });

  /** Empties the work tree (not .git), so the next commit holds only what is written next. */
  async function clearWorkTree(): Promise<void> {
    for (const name of await readdir(repo.dir))
      if (name !== '.git') await rm(join(repo.dir, name), { recursive: true, force: true });
  }

  async function expectMirrors(commit: string): Promise<void> {
    expect(await h.differencesFromCommit('GLOBAL', REPO, commit)).toEqual([]);
  }

  it('first sync: the scope folder equals git archive of the commit, modes included', async () => {
    await repo.write('README.md', '# scripts\n');
    await repo.write('bin/deploy.sh', '#!/bin/sh\necho deploy\n', { executable: true });
    await repo.write('lib/util/strings.py', 'def upper(s):\n    return s.upper()\n');
    await repo.write('data/blob.bin', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
    await repo.write('data/empty.txt', '');
    await repo.write('assets/big.psd', LFS_POINTER);
    await repo.write('unicode/naïve café.txt', 'unicode name\n');
    await repo.symlink('link-to-readme', 'README.md');
    await repo.addSubmoduleEntry('vendor/tool', 'f'.repeat(40));
    const first = await repo.commit('initial');

    const res = await h.push('GLOBAL', { deliveryId: 'first-sync' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: 'sync queued', commitSha: first, deliveryId: 'first-sync' });
    await h.idle();

    await expectMirrors(first);
    const [run] = await h.runs('GLOBAL');
    expect(run).toMatchObject({ status: 'succeeded', commitSha: first, trigger: 'push', deliveryId: 'first-sync' });
    expect(run!.skipped).toEqual(
      expect.arrayContaining([
        { path: 'link-to-readme', reason: expect.stringMatching(/symbolic link/) },
        { path: 'vendor/tool', reason: expect.stringMatching(/submodule/) },
      ]),
    );
    expect(run!.lfsPointers).toEqual(['assets/big.psd']);
    expect((await h.metadata().getConnection('GLOBAL' as never))?.lastSyncedCommit).toBe(first);
  });

  it('a tarball whose bytes are not the blobs (export-subst): those files are fetched as blobs, counted; large files stream; too large ones are skipped', async () => {
    await subst.write('.gitattributes', 'version.txt export-subst\n');
    await subst.write('version.txt', 'built from $Format:%H$\n');
    await subst.write('big/streamed.bin', randomBytes(MAX_FILE_BYTES - 1024 * 1024));
    await subst.write('big/too-large.bin', randomBytes(MAX_FILE_BYTES + 1));
    for (let i = 0; i < 80; i++) await subst.write(`scripts/s${i}.ps1`, `Write-Host ${i}\n`); // past SYNC_ARCHIVE_THRESHOLD: one tarball
    const head = await subst.commit('export-subst');
    const archived = await mkdtemp(join(tmpdir(), 'wsync-archived-'));
    try {
      // The peer's tarball is `git archive` output: there the placeholder is replaced by the commit.
      await subst.archiveTo(head, archived);
      expect(await readFile(join(archived, 'version.txt'), 'utf8')).toBe(`built from ${head}\n`);
    } finally {
      await rm(archived, { recursive: true, force: true });
    }

    expect((await h.push(SUBST_SCOPE)).status).toBe(202);
    await h.idle();

    const [run] = await h.runs(SUBST_SCOPE);
    // head, tree, tarball, one blob, head re-check
    expect(run).toMatchObject({
      status: 'succeeded',
      commitSha: head,
      counts: { written: 83, skipped: 1, archiveFallbacks: 1 },
      sourceRequests: 5,
    });
    expect(run!.skipped).toEqual([
      {
        path: 'big/too-large.bin',
        reason: `file of ${MAX_FILE_BYTES + 1} bytes is larger than the maximum file size of ${MAX_FILE_BYTES} bytes: not mirrored`,
      },
    ]);
    const folder = h.scopePath(SUBST_SCOPE);
    expect(await readFile(join(folder, 'version.txt'), 'utf8')).toBe('built from $Format:%H$\n'); // the blob, not the archive's bytes
    expect(
      (await readFile(join(folder, 'big/streamed.bin'))).equals(await readFile(join(subst.dir, 'big/streamed.bin'))),
    ).toBe(true);
    expect(existsSync(join(folder, 'big/too-large.bin'))).toBe(false);
    const manifest = await h.metadata().getManifest(SUBST_SCOPE as never);
    expect([...manifest!.entries.keys()].sort()).toEqual(
      [
        '.gitattributes',
        'big/streamed.bin',
        'version.txt',
        ...Array.from({ length: 80 }, (_, i) => `scripts/s${i}.ps1`),
      ].sort(),
    );
  });

  it('second push with adds, edits, deletes, renames and nested folders: equal again, emptied folders gone', async () => {
    await repo.write('lib/util/strings.py', 'def upper(s):\n    return s.upper()  # edited\n');
    await repo.write('lib/new/deep/er/module.py', 'x = 1\n');
    await repo.move('README.md', 'docs/README.md');
    await repo.remove('data/blob.bin');
    await repo.remove('data/empty.txt');
    await repo.write('bin/deploy.sh', '#!/bin/sh\necho deploy v2\n', { executable: false });
    const second = await repo.commit('second');
    expect((await h.push('GLOBAL')).status).toBe(202);
    await h.idle();
    await expectMirrors(second);
    const snapshot = await snapshotFolder(h.scopePath('GLOBAL'));
    expect(snapshot.has('data')).toBe(false);
    const [run] = await h.runs('GLOBAL');
    expect(run).toMatchObject({ status: 'succeeded', commitSha: second });
    expect(run!.counts.deleted).toBe(3);
  });

  it('a force-push to an unrelated history: equal', async () => {
    await clearWorkTree();
    await repo.write('only/this.txt', 'fresh history\n');
    await repo.write('lib/util/strings.py', 'different content, same path\n');
    const head = await repo.resetToUnrelatedHistory('rewrite');
    await h.push('GLOBAL');
    await h.idle();
    await expectMirrors(head);
  });

  it('20 pushes in a burst: ends at the last commit with fewer runs than pushes', async () => {
    const before = (await h.runs('GLOBAL')).length;
    const pushes: Array<Promise<unknown>> = [];
    let last = '';
    for (let i = 0; i < 20; i++) {
      await repo.write(`burst/file-${i}.txt`, `burst ${i}\n`);
      last = await repo.commit(`burst ${i}`);
      pushes.push(h.push('GLOBAL'));
    }
    const answers = (await Promise.all(pushes)) as Array<{ status: number }>;
    expect(answers.every((answer) => answer.status === 202)).toBe(true);
    await h.idle(5_000);
    await expectMirrors(last);
    const runs = (await h.runs('GLOBAL')).length - before;
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(20);
  });

  it('the same delivery posted twice: one run', async () => {
    await repo.write('twice.txt', 'once\n');
    const head = await repo.commit('twice');
    const before = (await h.runs('GLOBAL')).length;
    const first = await h.push('GLOBAL', { deliveryId: 'redelivered-1' });
    const second = await h.push('GLOBAL', { deliveryId: 'redelivered-1' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    await h.idle();
    expect((await h.runs('GLOBAL')).length - before).toBe(1);
    await expectMirrors(head);
  });

  it('one push to a repository two scopes follow, delivered to both hooks under one delivery id: both scopes sync', async () => {
    await repo.write('shared.txt', 'for both scopes\n');
    const head = await repo.commit('shared');
    const global = await h.push('GLOBAL', { deliveryId: 'shared-event' });
    const org = await h.push('org-3', { deliveryId: 'shared-event' });
    expect([global.status, org.status]).toEqual([202, 202]);
    await h.idle();
    await expectMirrors(head);
    expect(await h.differencesFromCommit('org-3', REPO, head)).toEqual([]);
    expect(await h.runs('org-3')).toEqual([
      expect.objectContaining({ status: 'succeeded', commitSha: head, deliveryId: 'shared-event' }),
    ]);
    expect((await h.runs('GLOBAL'))[0]).toMatchObject({
      status: 'succeeded',
      commitSha: head,
      deliveryId: 'shared-event',
    });
  });

  it('a push landing during a sync: ends at the newest commit', async () => {
    for (let i = 0; i < 30; i++) await repo.write(`slow/file-${i}.txt`, `slow ${i}\n`);
    await repo.commit('slow');
    h.peer.injectFault({ kind: 'delay', ms: 150, times: 40, match: /\/git\/blobs\// });
    expect((await h.push('GLOBAL')).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the worker is now fetching blobs
    await repo.write('slow/late.txt', 'landed mid-sync\n');
    const newest = await repo.commit('late');
    expect((await h.push('GLOBAL')).status).toBe(202);
    await h.idle(5_000);
    h.peer.clearFaults();
    await expectMirrors(newest);
  });

  it('an empty tree deletes nothing: the run fails with EmptySource', async () => {
    const before = await snapshotFolder(h.scopePath('GLOBAL'));
    await clearWorkTree();
    const empty = await repo.resetToUnrelatedHistory('nothing here');
    await h.push('GLOBAL');
    await h.idle();
    expect(await snapshotFolder(h.scopePath('GLOBAL'))).toEqual(before);
    const [run] = await h.runs('GLOBAL');
    expect(run).toMatchObject({ status: 'failed', commitSha: empty, error: { code: 'EmptySource', retryable: false } });
  });

  it('a failed fetch changes nothing: the run fails with the reason and is retried', async () => {
    await repo.write('after-empty.txt', 'content again\n');
    await repo.write('more/x.txt', 'x\n');
    await repo.commit('content');
    const before = await snapshotFolder(h.scopePath('GLOBAL'));
    h.peer.injectFault({ kind: 'status', status: 502, times: 1_000, match: /\/git\/blobs\// });
    await h.push('GLOBAL');
    await h.idle();
    h.peer.clearFaults();
    expect(await snapshotFolder(h.scopePath('GLOBAL'))).toEqual(before);
    const [run] = await h.runs('GLOBAL');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'Unavailable', retryable: true } });
    expect(run!.error!.message).not.toContain(h.token);
  });

  it('a truncated tree that cannot be walked deletes nothing: the run fails with TreeIncomplete', async () => {
    for (let i = 0; i < 12; i++) await repo.write(`wide/f${i}.txt`, `${i}\n`);
    await repo.commit('wide');
    const before = await snapshotFolder(h.scopePath('GLOBAL'));
    h.peer.setTreeEntryLimit(5); // 'wide/' alone has more direct entries than a page holds
    try {
      await h.push('GLOBAL');
      await h.idle();
    } finally {
      h.peer.setTreeEntryLimit(100_000);
    }
    expect(await snapshotFolder(h.scopePath('GLOBAL'))).toEqual(before);
    const [run] = await h.runs('GLOBAL');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'TreeIncomplete' } });
  });

  it("never touches another scope's folder or anything outside its own", async () => {
    await h.push('org-2');
    await h.idle();
    expect(await h.differencesFromCommit('org-2', OTHER_REPO, await other.head())).toEqual([]);

    // Neighbours that share a prefix with the scope folders, and files at the workspace root.
    await mkdir(join(h.workspaceRoot, 'orgs', 'org-22'), { recursive: true });
    await writeFile(join(h.workspaceRoot, 'orgs', 'org-22', 'keep.py'), 'neighbour\n');
    await writeFile(join(h.workspaceRoot, 'orgs', 'org-2.txt'), 'sibling file\n');
    await writeFile(join(h.workspaceRoot, 'ROOT.txt'), 'root file\n');
    const outside = (path: string) =>
      path.startsWith('global') ||
      path === 'orgs/org-2' ||
      path.startsWith('orgs/org-2/') ||
      path.startsWith('.workspace-sync');
    const othersBefore = await snapshotFolder(h.workspaceRoot, { skip: outside });

    await repo.write('global-only.txt', 'g\n');
    const head = await repo.commit('global change');
    await other.remove('org2.py');
    await other.write('renamed/org2.py', 'print("moved")\n');
    const otherHead = await other.commit('org 2 change');
    await Promise.all([h.push('GLOBAL'), h.push('org-2')]);
    await h.idle();

    await expectMirrors(head);
    expect(await h.differencesFromCommit('org-2', OTHER_REPO, otherHead)).toEqual([]);
    expect(await snapshotFolder(h.workspaceRoot, { skip: outside })).toEqual(othersBefore);
    expect(await readFile(join(h.workspaceRoot, 'ROOT.txt'), 'utf8')).toBe('root file\n');
  });
});
