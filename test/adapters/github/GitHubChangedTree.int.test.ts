import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSourceRepositoryFactory } from '../../../src/adapters/github/GitHubSourceRepositoryFactory';
import { MAX_CHANGED_FOLDER_LISTINGS, SMALL_FOLDER_ENTRIES } from '../../../src/adapters/github/readChangedTree';
import type { KnownTree, SourceRepository, SourceTree, SourceTreeEntry } from '../../../src/ports/SourceRepository';
import { GitHubPeer } from '../../support/githubPeer';
import { GitRepo } from '../../support/gitRepo';

/**
 * Reading a tree with a known earlier tree (issue #10): only the folders whose SHA changed are
 * listed, and the result equals the whole tree's listing whatever changed.
 */

const TREES = /\/git\/trees\//;

/**
 * 4 top folders x 5 sub-folders x 3 files, plus a file at the root. Each top folder also holds a
 * bulk folder that makes it larger than SMALL_FOLDER_ENTRIES, so a change in it is walked level by
 * level, while a changed sub-folder (3 files) is listed whole.
 */
const BASE_FILES = [
  { path: 'README.md', content: '# base\n' },
  ...Array.from({ length: 60 }, (_, i) => ({
    path: `top-${i % 4}/sub-${Math.floor(i / 4) % 5}/file-${i}.ps1`,
    content: `file ${i}\n`,
  })),
  ...Array.from({ length: 4 * (SMALL_FOLDER_ENTRIES + 4) }, (_, i) => ({
    path: `top-${i % 4}/bulk/part-${Math.floor(i / 4) % 8}/b-${i}.txt`, // every level under 70 entries
    content: `bulk ${i}\n`,
  })),
];

const sorted = (entries: readonly SourceTreeEntry[]): SourceTreeEntry[] =>
  [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

const knownOf = (tree: SourceTree): KnownTree => ({ treeSha: tree.treeSha!, entries: tree.entries });

describe('GitHubSourceRepository: incremental tree reads against the GitHub peer', () => {
  let peer: GitHubPeer;
  let repo: GitRepo;
  let source: SourceRepository;
  const token = `ghp_${randomBytes(18).toString('hex')}`;

  const treeListings = (): string[] =>
    peer.requests.filter((request) => TREES.test(request.path)).map((request) => request.path + request.query);

  /** The tree of `commit` read from `known`, checked against the recursive listing of the same commit. */
  async function readBoth(commit: string, known: KnownTree, subPath?: string): Promise<{ listings: string[] }> {
    const whole = await source.tree(commit, subPath);
    peer.resetRequests();
    const changed = await source.tree(commit, subPath, known);
    const listings = treeListings();
    expect(sorted(changed.entries)).toEqual(sorted(whole.entries));
    expect(changed.treeSha).toBe(whole.treeSha);
    expect(changed.commitSha).toBe(commit);
    return { listings };
  }

  beforeAll(async () => {
    peer = await GitHubPeer.start();
    repo = await GitRepo.create();
    await repo.writeMany(BASE_FILES, 'base');
    peer.addRepository('acme/changes', repo, { token });
    source = new GitHubSourceRepositoryFactory({ baseUrl: peer.url, requestTimeoutMs: 10_000 }).open({
      repository: 'acme/changes',
      token,
    });
  });

  afterEach(() => {
    peer.setTreeEntryLimit(100_000);
    peer.resetRequests();
  });

  afterAll(async () => {
    await peer?.stop();
    await repo?.dispose();
  });

  it('reports the SHA of the tree it read, for the whole repository and for a sub-path', async () => {
    const head = await repo.head();
    const whole = await source.tree(head);
    const sub = await source.tree(head, 'top-1');
    expect(whole.treeSha).toMatch(/^[0-9a-f]{40}$/);
    expect(sub.treeSha).toBe(whole.entries.find((entry) => entry.path === 'top-1')?.sha);
  });

  it('lists only the folders on the path of a changed file', async () => {
    const before = await source.tree(await repo.head());
    await repo.write('top-2/sub-3/file-14.ps1', 'changed\n');
    const { listings } = await readBoth(await repo.commit('one file'), knownOf(before));
    // The root and top-2 (large) one level deep, then top-2/sub-3 (small) whole.
    expect(listings).toHaveLength(3);
    expect(listings.map((path) => path.includes('recursive'))).toEqual([false, false, true]);
  });

  it('an unchanged tree costs one listing', async () => {
    const head = await repo.head();
    const before = await source.tree(head);
    const { listings } = await readBoth(await repo.commit('empty'), knownOf(before));
    expect(listings).toHaveLength(1);
  });

  it('converges on adds, deletes, renames, mode changes, folder deletions, new and moved folders', async () => {
    const before = await source.tree(await repo.head());
    await repo.write('top-0/sub-0/added.ps1', 'new\n');
    await repo.remove('top-1/sub-1/file-5.ps1');
    await repo.move('top-2/sub-2/file-10.ps1', 'top-2/sub-2/renamed.ps1');
    await repo.write('top-3/sub-3/file-15.ps1', 'file 15\n', { executable: true });
    await repo.remove('top-1/sub-4');
    await repo.move('top-3/sub-0', 'top-0/moved-here');
    await repo.write('brand/new/deep/one.ps1', 'one\n');
    const { listings } = await readBoth(await repo.commit('many kinds of change'), knownOf(before));
    // A new or small folder is listed whole in one request; a moved one is taken from where it was.
    // The root, four top folders one level deep, then five whole folders (four changed, one new).
    expect(listings.filter((path) => !path.includes('recursive'))).toHaveLength(5);
    expect(listings.filter((path) => path.includes('recursive'))).toHaveLength(5);
  });

  it('handles symlinks, submodules and a file that becomes a folder', async () => {
    const before = await source.tree(await repo.head());
    await repo.symlink('top-0/link', 'sub-0');
    await repo.addSubmoduleEntry('top-1/vendor', 'a'.repeat(40));
    await repo.remove('README.md');
    await repo.write('README.md/inside.txt', 'now a folder\n');
    await readBoth(await repo.commit('odd entries'), knownOf(before));
  });

  it('reads a sub-path incrementally, and stops at the sub-path when it did not change', async () => {
    const head = await repo.head();
    const before = await source.tree(head, 'top-2');
    await repo.write('top-0/sub-1/file-4.ps1', 'outside the sub-path\n');
    const unchanged = await readBoth(await repo.commit('outside'), knownOf(before), 'top-2');
    expect(unchanged.listings).toHaveLength(1); // the root, to find top-2's SHA
    await repo.write('top-2/sub-4/file-18.ps1', 'inside the sub-path\n');
    const changed = await readBoth(await repo.commit('inside'), knownOf(before), 'top-2');
    expect(changed.listings).toHaveLength(3); // the root, top-2, top-2/sub-4
  });

  it('fails on a missing sub-path as the whole read does', async () => {
    const head = await repo.head();
    const before = await source.tree(head);
    await expect(source.tree(head, 'nope', knownOf(before))).rejects.toMatchObject({ code: 'NotFound' });
    await expect(source.tree(head, 'top-0/nope', knownOf(before))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('falls back to one recursive listing when too many folders changed', async () => {
    const before = await source.tree(await repo.head());
    const many = Array.from({ length: MAX_CHANGED_FOLDER_LISTINGS + 1 }, (_, i) => ({
      path: `spread/f-${i}/x.ps1`,
      content: `${i}\n`,
    }));
    // Large enough to be walked level by level, so each changed folder below it counts.
    const filler = Array.from({ length: SMALL_FOLDER_ENTRIES + 1 }, (_, i) => ({
      path: `spread/filler/p-${i % 8}/x-${i}.txt`, // every level under the 70 a later test allows
      content: `${i}\n`,
    }));
    await repo.writeMany([...filler, ...many.slice(0, 1)], 'spread starts');
    const middle = await source.tree(await repo.head());
    await repo.writeMany(many, 'spread everywhere');
    await repo.writeMany(
      many.map((file) => ({ ...file, content: `${file.content}changed\n` })),
      'change every spread folder',
    );
    const { listings } = await readBoth(await repo.head(), knownOf(middle));
    expect(listings.at(-1)).toContain('recursive');
    expect(listings.length).toBeLessThanOrEqual(3); // root, spread, then the whole tree
    expect(before.treeSha).not.toBe(middle.treeSha);
  });

  it('falls back to the whole read when a listing is truncated', async () => {
    const before = await source.tree(await repo.head());
    // 110 entries below 'wide': its recursive listing is cut at 70, every single level fits.
    await repo.writeMany(
      Array.from({ length: 100 }, (_, i) => ({ path: `wide/a-${i % 10}/w-${i}.txt`, content: `${i}\n` })),
      'a wide new folder',
    );
    const head = await repo.head();
    const whole = await source.tree(head);
    peer.setTreeEntryLimit(70);
    peer.resetRequests();
    const changed = await source.tree(head, undefined, knownOf(before));
    expect(sorted(changed.entries)).toEqual(sorted(whole.entries));
  });
});
