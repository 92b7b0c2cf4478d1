import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit, runGitOrNull } from '../support/github-peer/runGit';
import { GitRepo } from '../support/gitRepo';

const repos: GitRepo[] = [];
const folders: string[] = [];

async function newRepo(): Promise<GitRepo> {
  const repo = await GitRepo.create();
  repos.push(repo);
  return repo;
}

async function tree(repo: GitRepo, commit: string): Promise<string[]> {
  const out = await runGit(repo.dir, ['ls-tree', '-r', '-t', commit]);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/ [0-9a-f]{40}\t/, ' '));
}

afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.dispose();
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe('GitRepo', () => {
  it('creates a repository on main, in a temp folder, with identity set and signing off', async () => {
    const repo = await newRepo();
    expect(repo.dir.startsWith(tmpdir())).toBe(true);
    expect((await runGit(repo.dir, ['symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    expect((await runGit(repo.dir, ['config', '--local', 'commit.gpgsign'])).trim()).toBe('false');
    expect((await runGit(repo.dir, ['config', '--local', 'user.email'])).trim()).toBe('peer-test@example.com');
    const inDir = await mkdtemp(join(tmpdir(), 'gitrepo-explicit-'));
    folders.push(inDir);
    const explicit = await GitRepo.create(join(inDir, 'nested', 'repo'));
    expect(explicit.dir).toBe(join(inDir, 'nested', 'repo'));
    expect(await explicit.commit('empty')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('records files, executables, symlinks and submodule entries with their git modes', async () => {
    const repo = await newRepo();
    await repo.write('a/plain.txt', 'plain');
    await repo.write('a/run.sh', '#!/bin/sh\n', { executable: true });
    await repo.write('bytes.bin', Uint8Array.from([0, 255, 10, 13]));
    await repo.symlink('link', 'a/plain.txt');
    const first = await repo.commit('first');
    await repo.addSubmoduleEntry('vendor/sub', first);
    const second = await repo.commit('second');
    expect(await tree(repo, second)).toEqual([
      '040000 tree a',
      '100644 blob a/plain.txt',
      '100755 blob a/run.sh',
      '100644 blob bytes.bin',
      '120000 blob link',
      '040000 tree vendor',
      `160000 commit vendor/sub`,
    ]);
    expect((await runGit(repo.dir, ['rev-parse', `${second}:vendor/sub`])).trim()).toBe(first);
    expect(await runGit(repo.dir, ['cat-file', 'blob', `${second}:link`])).toBe('a/plain.txt');
    // The gitlink survives later commits (git add -A would drop it if its folder were missing).
    await repo.write('later.txt', 'x');
    const third = await repo.commit('third');
    expect(await tree(repo, third)).toContain('160000 commit vendor/sub');
  });

  it('changes modes, removes and moves files', async () => {
    const repo = await newRepo();
    await repo.write('run.sh', 'echo', { executable: true });
    await repo.write('dir/keep.txt', 'k');
    await repo.write('dir/gone.txt', 'g');
    await repo.commit('one');
    await repo.write('run.sh', 'echo');
    await repo.remove('dir/gone.txt');
    await repo.move('dir/keep.txt', 'moved/deeper/keep.txt');
    const two = await repo.commit('two');
    expect(await tree(repo, two)).toEqual([
      '040000 tree moved',
      '040000 tree moved/deeper',
      '100644 blob moved/deeper/keep.txt',
      '100644 blob run.sh',
    ]);
  });

  it('allows empty commits and refuses paths outside the work tree', async () => {
    const repo = await newRepo();
    await repo.write('a', 'a');
    const one = await repo.commit('one');
    const two = await repo.commit('nothing changed');
    expect(two).not.toBe(one);
    expect((await runGit(repo.dir, ['rev-parse', `${two}^{tree}`])).trim()).toBe(
      (await runGit(repo.dir, ['rev-parse', `${one}^{tree}`])).trim(),
    );
    await expect(repo.write('../escape.txt', 'x')).rejects.toThrow(/escapes/);
    await expect(repo.write('.git/config', 'x')).rejects.toThrow(/escapes/);
  });

  it('creates, reads and deletes branches', async () => {
    const repo = await newRepo();
    await repo.write('a', 'a');
    const one = await repo.commit('one');
    await repo.createBranch('feature/x');
    await repo.write('a', 'b');
    const two = await repo.commit('two');
    expect(await repo.head()).toBe(two);
    expect(await repo.head('feature/x')).toBe(one);
    await repo.deleteBranch('feature/x');
    expect(await runGitOrNull(repo.dir, ['rev-parse', '--verify', '-q', 'refs/heads/feature/x'])).toBeNull();
    await expect(repo.head('feature/x')).rejects.toThrow();
  });

  it('starts orphan branches empty and rewrites history without losing old objects', async () => {
    const repo = await newRepo();
    await repo.write('a.txt', 'a');
    const one = await repo.commit('one');
    await repo.checkoutOrphan('pages');
    expect(await readdir(repo.dir)).toEqual(['.git']);
    await repo.write('index.html', '<p>');
    const page = await repo.commit('page');
    expect((await runGit(repo.dir, ['rev-list', '--count', page])).trim()).toBe('1');
    expect(await tree(repo, page)).toEqual(['100644 blob index.html']);
    expect(await repo.head()).toBe(one);
    await repo.checkout('main');
    await repo.write('a.txt', 'rewritten');
    const rewritten = await repo.resetToUnrelatedHistory('force-push');
    expect(await repo.head()).toBe(rewritten);
    expect((await runGit(repo.dir, ['rev-list', '--count', rewritten])).trim()).toBe('1');
    expect(await runGit(repo.dir, ['cat-file', 'blob', `${rewritten}:a.txt`])).toBe('rewritten');
    expect((await runGit(repo.dir, ['cat-file', '-t', one])).trim()).toBe('commit');
  });

  it('extracts a commit byte for byte with modes, links and empty submodule folders', async () => {
    const repo = await newRepo();
    await repo.write('bin/run.sh', '#!/bin/sh\necho hi\n', { executable: true });
    await repo.write('doc/readme.md', '# hi\n');
    await repo.write(
      'bytes.bin',
      Uint8Array.from({ length: 300 }, (_, i) => i % 256),
    );
    await repo.symlink('current', 'bin/run.sh');
    const base = await repo.commit('base');
    await repo.addSubmoduleEntry('vendor/sub', base);
    const commit = await repo.commit('with submodule');
    await repo.write('doc/readme.md', 'changed after the commit');
    const out = await mkdtemp(join(tmpdir(), 'gitrepo-archive-'));
    folders.push(out);
    await repo.archiveTo(commit, out);
    expect((await stat(join(out, 'bin/run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(out, 'doc/readme.md'))).mode & 0o777).toBe(0o644);
    expect(await readFile(join(out, 'doc/readme.md'), 'utf8')).toBe('# hi\n');
    expect(new Uint8Array(await readFile(join(out, 'bytes.bin')))).toEqual(
      Uint8Array.from({ length: 300 }, (_, i) => i % 256),
    );
    expect((await lstat(join(out, 'current'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(out, 'current'))).toBe('bin/run.sh');
    expect(await readdir(join(out, 'vendor/sub'))).toEqual([]);
    expect((await readdir(out)).sort()).toEqual(['bin', 'bytes.bin', 'current', 'doc', 'vendor']);
  });

  it('writes 10,000 files in one commit', async () => {
    const repo = await newRepo();
    await repo.write('existing.txt', 'old');
    await repo.symlink('was-a-link', 'existing.txt');
    const before = await repo.commit('before');
    const files = Array.from({ length: 10_000 }, (_, i) => ({
      path: `d${i % 50}/f${i}.txt`,
      content: `file ${i}\n`,
      executable: i === 7,
    }));
    files.push(
      { path: 'existing.txt', content: 'new', executable: false },
      { path: 'was-a-link', content: 'now a file', executable: false },
    );
    // No time bound (a busy machine breaks one); the test's timeout catches a writer gone quadratic.
    const commit = await repo.writeMany(files);
    expect((await runGit(repo.dir, ['rev-list', '--count', `${before}..${commit}`])).trim()).toBe('1');
    const listing = (await runGit(repo.dir, ['ls-tree', '-r', commit])).trim().split('\n');
    expect(listing).toHaveLength(10_002);
    expect(listing.filter((line) => line.startsWith('100755'))).toEqual([expect.stringMatching(/\td7\/f7\.txt$/)]);
    expect(await runGit(repo.dir, ['cat-file', 'blob', `${commit}:d3/f9553.txt`])).toBe('file 9553\n');
    expect(await runGit(repo.dir, ['cat-file', 'blob', `${commit}:existing.txt`])).toBe('new');
    expect(listing.find((line) => line.endsWith('\twas-a-link'))).toMatch(/^100644 blob/);
    expect(await readFile(join(repo.dir, 'existing.txt'), 'utf8')).toBe('new');
  }, 60_000);

  it('dispose deletes the folder', async () => {
    const repo = await GitRepo.create();
    await repo.dispose();
    await expect(stat(repo.dir)).rejects.toThrow();
  });
});
