import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepo } from '../support/gitRepo';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/linked';
const SCOPE = 'org-linked';
const SYNCED = 'org-synced';

/** Symbolic links planted on the volume, met by a sync through the local host and the GitHub peer. */
describe('sync into a workspace with planted symbolic links', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  let outside: string;

  beforeAll(async () => {
    h = await SyncHarness.create();
    outside = await mkdtemp(join(tmpdir(), 'wsync-outside-'));
    repo = await h.repo(REPO);
    await repo.write('org2.py', 'print("from git")\n');
    await repo.write('lib/util.py', 'x = 1\n');
    await repo.commit('initial');
    await h.start([
      { scope: SCOPE, repository: REPO },
      { scope: SYNCED, repository: REPO },
    ]);
  });
  afterAll(async () => {
    await h?.dispose();
    await rm(outside, { recursive: true, force: true });
  });

  it('a scope folder that is a link to a folder outside the workspace: nothing there is deleted or written', async () => {
    await mkdir(join(outside, 'scope'));
    await writeFile(join(outside, 'scope', 'victim.txt'), 'not part of any repository\n');
    await writeFile(join(outside, 'scope', 'org2.py'), 'outside copy\n');
    await mkdir(dirname(h.scopePath(SCOPE)), { recursive: true });
    await symlink(join(outside, 'scope'), h.scopePath(SCOPE));

    expect((await h.push(SCOPE)).status).toBe(202);
    await h.idle();

    expect((await readdir(join(outside, 'scope'))).sort()).toEqual(['org2.py', 'victim.txt']);
    expect(await readFile(join(outside, 'scope', 'victim.txt'), 'utf8')).toBe('not part of any repository\n');
    expect(await readFile(join(outside, 'scope', 'org2.py'), 'utf8')).toBe('outside copy\n');
    const [run] = await h.runs(SCOPE);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'SymbolicLink', retryable: false } });
    expect(run!.error!.message).toContain(`'orgs/${SCOPE}' is a symbolic link`);
  });

  it('a synced folder later swapped for a link: the next sync leaves the link target alone', async () => {
    expect((await h.push(SYNCED)).status).toBe(202);
    await h.idle();
    expect(await readFile(join(h.scopePath(SYNCED), 'lib', 'util.py'), 'utf8')).toBe('x = 1\n');

    await mkdir(join(outside, 'lib'));
    await writeFile(join(outside, 'lib', 'victim.py'), 'outside\n');
    await rm(join(h.scopePath(SYNCED), 'lib'), { recursive: true });
    await symlink(join(outside, 'lib'), join(h.scopePath(SYNCED), 'lib'));
    await repo.remove('lib/util.py');
    await repo.write('lib/other.py', 'y = 2\n');
    await repo.commit('change lib');
    expect((await h.push(SYNCED)).status).toBe(202);
    await h.idle();

    expect((await readdir(join(outside, 'lib'))).sort()).toEqual(['victim.py']);
    const [run] = await h.runs(SYNCED);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'SymbolicLink', retryable: false } });
    expect(await readFile(join(h.scopePath(SYNCED), 'org2.py'), 'utf8')).toBe('print("from git")\n');
  });
});
