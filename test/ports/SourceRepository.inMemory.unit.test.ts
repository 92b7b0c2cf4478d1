import { describe, expect, it } from 'vitest';
import { SourceError, type SourceRepository } from '../../src/ports/SourceRepository';
import { InMemorySourceRepositoryFactory } from '../doubles/InMemorySourceRepository';
import { describeSourceRepositoryContract } from './contracts/SourceRepository.contract';

describeSourceRepositoryContract('in-memory', async () => {
  const factory = new InMemorySourceRepositoryFactory();
  let published = 0;
  return {
    factory,
    async publish(files, opts) {
      published += 1;
      const repository = `acme/repo-${published}`;
      const token = `token-${published}`;
      factory.addRepository(repository, { tokens: [token] });
      const commitSha = factory.commit(repository, files, { branch: opts?.branch ?? 'main' });
      return { repository, token, commitSha };
    },
    async revoke(token) {
      factory.revokeToken(token);
    },
    async cleanup() {},
  };
});

describe('InMemorySourceRepositoryFactory helpers', () => {
  const setup = (): { factory: InMemorySourceRepositoryFactory; open: () => SourceRepository } => {
    const factory = new InMemorySourceRepositoryFactory();
    factory.addRepository('acme/scripts', { tokens: ['t'] });
    return { factory, open: () => factory.open({ repository: 'acme/scripts', token: 't' }) };
  };

  it('lists trees exactly as git does: order, modes, blob and tree SHAs', async () => {
    const { factory, open } = setup();
    // Expected values come from `git ls-tree -r -t` on the same content.
    const sha = factory.commit('acme/scripts', {
      'a.txt': 'a',
      'a-b.txt': 'x',
      'dir/b.txt': 'b',
      'dir/sub/run.sh': { content: '#!/bin/sh\n', executable: true },
      link: { symlinkTo: 'a.txt' },
    });
    const { entries } = await open().tree(sha);
    expect(entries.map(({ mode, type, sha: objectSha, path }) => `${mode} ${type} ${objectSha}\t${path}`)).toEqual([
      '100644 blob c1b0730e0133447badcfd47fd144e254807b06e1\ta-b.txt',
      '100644 blob 2e65efe2a145dda7ee51d1741299f848e5bf752e\ta.txt',
      '040000 tree cfcf7aac6f8193feac5b4218076cad89c6b1db06\tdir',
      '100644 blob 63d8dbd40c23542e740659a7168a0ce3138ea748\tdir/b.txt',
      '040000 tree 4d30b2ddd4dbd82d6ad7ee4d2a4ea360f5d65b61\tdir/sub',
      '100755 blob 1a2485251c33a70432394c93fb89330ef214bfc9\tdir/sub/run.sh',
      '120000 blob 8d14cbf983b3fad683171c9418998d9f68340823\tlink',
    ]);
  });

  it('change() builds on the branch head; setBranch(null) deletes the branch', async () => {
    const { factory, open } = setup();
    const first = factory.commit('acme/scripts', { 'keep.txt': 'k', 'drop.txt': 'd' });
    const second = factory.change('acme/scripts', { write: { 'new.txt': 'n' }, remove: ['drop.txt'] });
    expect(second).not.toBe(first);
    expect((await open().tree(second)).entries.map((entry) => entry.path)).toEqual(['keep.txt', 'new.txt']);
    expect((await open().tree(first)).entries.map((entry) => entry.path)).toEqual(['drop.txt', 'keep.txt']);
    factory.setBranch('acme/scripts', 'main', null);
    expect(await open().branchHead('main')).toBeNull();
  });

  it('lists submodules as commit entries and leaves them out of archives', async () => {
    const { factory, open } = setup();
    const gitlink = '1234567890abcdef1234567890abcdef12345678';
    const sha = factory.commit('acme/scripts', { 'vendor/lib': { submoduleCommit: gitlink }, 'main.ps1': 'x' });
    const entry = (await open().tree(sha)).entries.find((candidate) => candidate.path === 'vendor/lib');
    expect(entry).toEqual({ path: 'vendor/lib', mode: '160000', type: 'commit', sha: gitlink });
    const paths: string[] = [];
    const expected = new Map((await open().tree(sha)).entries.map((candidate) => [candidate.path, candidate.sha]));
    for await (const file of open().archive(sha, expected)) paths.push(file.path);
    expect(paths).toEqual(['main.ps1']);
  });

  it('failNext fails the next matching requests, counts them, then recovers', async () => {
    const { factory, open } = setup();
    const sha = factory.commit('acme/scripts', { 'a.txt': 'a' });
    const source = open();
    factory.failNext('Unavailable', 2, { operation: 'tree' });
    factory.failNext('RateLimited', 1, { operation: 'branchHead', retryAfterMs: 5_000 });
    await expect(source.tree(sha)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    const limited = await source.branchHead('main').catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(SourceError);
    expect(limited).toMatchObject({ code: 'RateLimited', retryAfterMs: 5_000 });
    await expect(source.tree(sha)).rejects.toMatchObject({ code: 'Unavailable' });
    expect((await source.tree(sha)).entries).toHaveLength(1);
    expect(source.requestCount).toBe(4);
    expect(factory.requestCount).toBe(4);
  });

  it('can break an archive stream after some files', async () => {
    const { factory, open } = setup();
    const sha = factory.commit('acme/scripts', { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    factory.failNext('Unavailable', 1, { operation: 'archive', afterFiles: 2 });
    const paths: string[] = [];
    const expected = new Map((await open().tree(sha)).entries.map((entry) => [entry.path, entry.sha]));
    const failure = await (async () => {
      for await (const file of open().archive(sha, expected)) paths.push(file.path);
    })().catch((error: unknown) => error);
    expect(paths).toEqual(['a.txt', 'b.txt']);
    expect(failure).toMatchObject({ code: 'Unavailable' });
  });

  it('hides a repository the token may not read behind NotFound, as GitHub does', async () => {
    const { factory } = setup();
    factory.addToken('other');
    const source = factory.open({ repository: 'acme/scripts', token: 'other' });
    await expect(source.branchHead('main')).rejects.toMatchObject({ code: 'NotFound' });
    const stranger = factory.open({ repository: 'acme/scripts', token: 'never-issued' });
    await expect(stranger.branchHead('main')).rejects.toMatchObject({ code: 'Unauthorized' });
  });

  it('counts the repository lookup that tells a missing branch from a missing repository', async () => {
    const { factory, open } = setup();
    factory.commit('acme/scripts', { 'a.txt': 'a' });
    const source = open();
    expect(await source.branchHead('gone')).toBeNull();
    expect(source.requestCount).toBe(2);
  });

  it('returns copies, so callers cannot change a commit', async () => {
    const { factory, open } = setup();
    const sha = factory.commit('acme/scripts', { 'a.txt': 'a' });
    const entry = (await open().tree(sha)).entries[0]!;
    for await (const chunk of await open().blob(entry.sha, 1)) chunk[0] = 0;
    const chunks: Uint8Array[] = [];
    for await (const chunk of await open().blob(entry.sha, 1)) chunks.push(chunk);
    expect(new TextDecoder().decode(chunks[0])).toBe('a');
  });

  it("archives a file's `archivedAs` bytes (as export-subst would), which then fail as ArchiveMismatch", async () => {
    const { factory, open } = setup();
    const sha = factory.commit('acme/scripts', {
      'version.txt': { content: '$Format:%H$\n', archivedAs: '0123abcd\n' },
      'plain.txt': 'p',
    });
    const expected = new Map((await open().tree(sha)).entries.map((entry) => [entry.path, entry.sha]));
    const outcomes: Record<string, string> = {};
    for await (const file of open().archive(sha, expected)) {
      let text = '';
      try {
        for await (const chunk of file.content) text += new TextDecoder().decode(chunk);
        outcomes[file.path] = text;
      } catch (error) {
        outcomes[file.path] = `${(error as Error).name}: ${text}`;
      }
    }
    expect(outcomes).toEqual({ 'plain.txt': 'p', 'version.txt': 'ArchiveMismatch: 0123abcd\n' });
  });

  it('refuses paths git cannot store and a path that is both file and folder', () => {
    const { factory } = setup();
    expect(() => factory.commit('acme/scripts', { '../x': 'x' })).toThrow();
    expect(() => factory.commit('acme/scripts', { 'a//b': 'x' })).toThrow();
    expect(() => factory.commit('acme/scripts', { a: 'x', 'a/b': 'y' })).toThrow();
  });
});
