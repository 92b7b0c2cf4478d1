import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../support/github-peer/runGit';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';

const TOKEN = 'ghp_peerTestMainToken000000000000000000';
const PRIVATE_TOKEN = 'ghp_peerTestPrivateToken00000000000000';
const READER_TOKEN = 'ghp_peerTestReaderToken000000000000000';
const BINARY = Uint8Array.from({ length: 256 }, (_, i) => i);

let repo: GitRepo;
let peer: GitHubPeer;
let octokit: Octokit;
let firstCommit: string;
let head: string;

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** An Octokit client for the peer that does not log every 4xx to stderr. */
function client(auth?: string): Octokit {
  return new Octokit({ baseUrl: peer.url, auth, log: quiet });
}

/** An error thrown by Octokit for an HTTP answer carries the status. */
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as { status: number }).status;
  }
  throw new Error('expected the request to fail');
}

/** What `git ls-tree` says, shaped like GitHub's tree entries (the ground truth). */
async function lsTree(treeish: string, recursive: boolean) {
  const args = ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), treeish];
  const out = await runGit(repo.dir, args);
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split('\t') as [string, string];
      const [mode, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
      return type === 'blob' ? { path, mode, type, sha, size: Number(size) } : { path, mode, type, sha };
    });
}

async function untar(
  gz: Uint8Array,
): Promise<Map<string, { mode: number; type: string; content: Buffer; linkname?: string | null }>> {
  const entries = new Map<string, { mode: number; type: string; content: Buffer; linkname?: string | null }>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
      stream.on('end', () => {
        entries.set(header.name, {
          mode: header.mode ?? 0,
          type: header.type ?? 'file',
          content: Buffer.concat(chunks),
          linkname: header.linkname,
        });
        next();
      });
      stream.on('error', reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([gunzipSync(gz)]).pipe(reader);
  await done;
  return entries;
}

beforeAll(async () => {
  repo = await GitRepo.create();
  await repo.write('README.md', '# scripts\n');
  await repo.write('bin/run.sh', '#!/bin/sh\necho run\n', { executable: true });
  await repo.write('lib/deep/nested/util.ps1', 'Write-Output "hi"\n');
  await repo.write('data/blob.bin', BINARY);
  await repo.symlink('current', 'bin/run.sh');
  firstCommit = await repo.commit('first');
  await repo.addSubmoduleEntry('vendor/tool', firstCommit);
  await repo.write('README.md', '# scripts, second edition\n');
  head = await repo.commit('second');
  await repo.createBranch('feature/x', firstCommit);

  peer = await GitHubPeer.start();
  peer.addToken(TOKEN, ['repo', 'admin:repo_hook']);
  peer.addToken(READER_TOKEN);
  peer.addRepository('acme/scripts', repo);
  peer.addRepository('acme/secret', repo, { private: true, token: PRIVATE_TOKEN });
  peer.addRepository('acme/readonly', repo, { private: true, permissions: { admin: false, push: false, pull: true } });
  octokit = client(TOKEN);
});

afterAll(async () => {
  await peer?.stop();
  await repo?.dispose();
});

beforeEach(() => {
  peer.clearFaults();
  peer.setTreeEntryLimit(100_000);
  peer.setTreeByteLimit(7 * 1024 * 1024);
});

describe('repository, branches, refs, commits', () => {
  it('answers the repository object', async () => {
    const { data, status } = await octokit.rest.repos.get({ owner: 'acme', repo: 'scripts' });
    expect(status).toBe(200);
    expect(data).toMatchObject({ full_name: 'acme/scripts', name: 'scripts', default_branch: 'main', private: false });
    expect(data.permissions).toEqual({ admin: true, maintain: true, push: true, triage: true, pull: true });
    expect(data.owner.login).toBe('acme');
  });

  it('matches owner/name case-insensitively and 404s unknown repositories', async () => {
    expect((await octokit.rest.repos.get({ owner: 'ACME', repo: 'Scripts' })).data.full_name).toBe('acme/scripts');
    expect(await statusOf(octokit.rest.repos.get({ owner: 'acme', repo: 'nope' }))).toBe(404);
  });

  it('answers a branch with its head commit and tree', async () => {
    const { data } = await octokit.rest.repos.getBranch({ owner: 'acme', repo: 'scripts', branch: 'main' });
    expect(data.name).toBe('main');
    expect(data.commit.sha).toBe(head);
    expect(data.commit.commit.tree.sha).toBe((await runGit(repo.dir, ['rev-parse', `${head}^{tree}`])).trim());
    expect(data.commit.parents.map((p) => p.sha)).toEqual([firstCommit]);
    expect(data.commit.commit.message).toBe('second');
    expect(data.protected).toBe(false);
  });

  it('answers branches with a slash in the name, encoded or not', async () => {
    const { data } = await octokit.rest.repos.getBranch({ owner: 'acme', repo: 'scripts', branch: 'feature/x' });
    expect(data.commit.sha).toBe(firstCommit);
    const raw = await fetch(`${peer.url}/repos/acme/scripts/branches/feature/x`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    expect(((await raw.json()) as { commit: { sha: string } }).commit.sha).toBe(firstCommit);
  });

  it('404s a missing branch', async () => {
    expect(await statusOf(octokit.rest.repos.getBranch({ owner: 'acme', repo: 'scripts', branch: 'gone' }))).toBe(404);
  });

  it('answers git references and 404s missing ones', async () => {
    const { data } = await octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' });
    expect(data.ref).toBe('refs/heads/main');
    expect(data.object).toEqual({
      sha: head,
      type: 'commit',
      url: `${peer.url}/repos/acme/scripts/git/commits/${head}`,
    });
    expect(data.node_id).toEqual(expect.any(String));
    const nested = await octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/feature/x' });
    expect(nested.data.object.sha).toBe(firstCommit);
    const missing = await fetch(`${peer.url}/repos/acme/scripts/git/ref/heads/gone`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'Not Found', status: '404' });
    expect(await statusOf(octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main~1' }))).toBe(404);
  });

  it('answers commits by branch, full SHA and short SHA', async () => {
    const tree = (await runGit(repo.dir, ['rev-parse', `${firstCommit}^{tree}`])).trim();
    for (const ref of ['feature/x', firstCommit, firstCommit.slice(0, 8)]) {
      const { data } = await octokit.rest.repos.getCommit({ owner: 'acme', repo: 'scripts', ref });
      expect(data.sha).toBe(firstCommit);
      expect(data.commit.tree.sha).toBe(tree);
      expect(data.commit.author?.email).toBe('peer-test@example.com');
    }
    expect(await statusOf(octokit.rest.repos.getCommit({ owner: 'acme', repo: 'scripts', ref: 'f'.repeat(40) }))).toBe(
      422,
    );
  });

  it('follows the branch as it moves, and after a force-push keeps old commits reachable by SHA', async () => {
    const scratch = await GitRepo.create();
    try {
      await scratch.write('a.txt', 'one');
      const one = await scratch.commit('one');
      peer.addRepository('acme/moving', scratch);
      const branchHead = async () =>
        (await octokit.rest.git.getRef({ owner: 'acme', repo: 'moving', ref: 'heads/main' })).data.object.sha;
      expect(await branchHead()).toBe(one);
      await scratch.write('a.txt', 'two');
      const two = await scratch.commit('two');
      expect(await branchHead()).toBe(two);
      await scratch.write('a.txt', 'rewritten');
      const rewritten = await scratch.resetToUnrelatedHistory();
      expect(await branchHead()).toBe(rewritten);
      const { data } = await octokit.rest.repos.getCommit({ owner: 'acme', repo: 'moving', ref: rewritten });
      expect(data.parents).toEqual([]);
      expect((await octokit.rest.repos.getCommit({ owner: 'acme', repo: 'moving', ref: two })).data.sha).toBe(two);
      await scratch.deleteBranch('main').catch(() => undefined); // current branch: git refuses, that is fine
      await scratch.createBranch('gone');
      await scratch.deleteBranch('gone');
      expect(await statusOf(octokit.rest.repos.getBranch({ owner: 'acme', repo: 'moving', branch: 'gone' }))).toBe(404);
    } finally {
      await scratch.dispose();
    }
  });
});

describe('trees', () => {
  it('answers the recursive tree exactly as git lists it, by tree SHA, commit SHA or branch', async () => {
    const treeSha = (await runGit(repo.dir, ['rev-parse', `${head}^{tree}`])).trim();
    const expected = await lsTree(head, true);
    for (const ref of [treeSha, head, 'main']) {
      const { data } = await octokit.rest.git.getTree({
        owner: 'acme',
        repo: 'scripts',
        tree_sha: ref,
        recursive: '1',
      });
      expect(data.sha).toBe(treeSha);
      expect(data.truncated).toBe(false);
      expect(data.tree.map(({ url: _url, ...rest }) => rest)).toEqual(expected);
    }
    const modes = new Set(expected.map((entry) => `${entry.mode} ${entry.type}`));
    expect([...modes].sort()).toEqual(['040000 tree', '100644 blob', '100755 blob', '120000 blob', '160000 commit']);
  });

  it('gives blob and tree entries urls and submodules none', async () => {
    const { data } = await octokit.rest.git.getTree({
      owner: 'acme',
      repo: 'scripts',
      tree_sha: head,
      recursive: 'true',
    });
    const byPath = new Map(data.tree.map((entry) => [entry.path, entry]));
    expect(byPath.get('bin/run.sh')?.url).toBe(
      `${peer.url}/repos/acme/scripts/git/blobs/${byPath.get('bin/run.sh')?.sha}`,
    );
    expect(byPath.get('lib')?.url).toBe(`${peer.url}/repos/acme/scripts/git/trees/${byPath.get('lib')?.sha}`);
    expect(byPath.get('vendor/tool')).toEqual({
      path: 'vendor/tool',
      mode: '160000',
      type: 'commit',
      sha: firstCommit,
    });
  });

  it('answers direct children without ?recursive (GitHub treats any value, even 0, as recursive)', async () => {
    const { data } = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head });
    expect(data.tree.map(({ url: _url, ...rest }) => rest)).toEqual(await lsTree(head, false));
    const zero = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head, recursive: '0' });
    expect(zero.data.tree.length).toBe((await lsTree(head, true)).length);
  });

  it('truncates a recursive tree past the entry limit, keeping the first entries', async () => {
    const all = await lsTree(head, true);
    peer.setTreeEntryLimit(3);
    const { data } = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head, recursive: '1' });
    expect(data.truncated).toBe(true);
    expect(data.tree.map((entry) => entry.path)).toEqual(all.slice(0, 3).map((entry) => entry.path));
    // Walking sub-trees is how a client completes a truncated tree: those are small enough.
    const lib = all.find((entry) => entry.path === 'lib/deep')!;
    const sub = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: lib.sha, recursive: '1' });
    expect(sub.data.truncated).toBe(false);
    expect(sub.data.tree.map((entry) => entry.path)).toEqual(['nested', 'nested/util.ps1']);
  });

  it('truncates a recursive tree whose entries are over the byte limit, keeping the entries that fit', async () => {
    const all = await lsTree(head, true);
    const whole = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head, recursive: '1' });
    const entryBytes = whole.data.tree.map((entry) => Buffer.byteLength(`,${JSON.stringify(entry)}`));
    // Room for the first two entries and part of the third.
    peer.setTreeByteLimit(entryBytes[0]! + entryBytes[1]! + 10);
    const { data } = await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head, recursive: '1' });
    expect(data.truncated).toBe(true);
    expect(data.tree).toEqual(whole.data.tree.slice(0, 2));
    expect(data.tree.map((entry) => entry.path)).toEqual(all.slice(0, 2).map((entry) => entry.path));
  });

  it('404s unknown trees and blobs passed as trees', async () => {
    expect(await statusOf(octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: 'e'.repeat(40) }))).toBe(
      404,
    );
    const blobSha = (await runGit(repo.dir, ['rev-parse', `${head}:README.md`])).trim();
    expect(await statusOf(octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: blobSha }))).toBe(404);
  });
});

describe('blobs', () => {
  const blobSha = async (path: string) => (await runGit(repo.dir, ['rev-parse', `${head}:${path}`])).trim();

  it('answers base64 in 60-character lines, as GitHub does', async () => {
    const sha = await blobSha('data/blob.bin');
    const { data } = await octokit.rest.git.getBlob({ owner: 'acme', repo: 'scripts', file_sha: sha });
    expect(data).toMatchObject({
      sha,
      size: 256,
      encoding: 'base64',
      url: `${peer.url}/repos/acme/scripts/git/blobs/${sha}`,
    });
    const lines = data.content.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.slice(0, -1).every((line) => line.length === 60)).toBe(true);
    expect(new Uint8Array(Buffer.from(data.content, 'base64'))).toEqual(BINARY);
  });

  it('answers raw bytes for the raw media types', async () => {
    const sha = await blobSha('data/blob.bin');
    const viaOctokit = await octokit.rest.git.getBlob({
      owner: 'acme',
      repo: 'scripts',
      file_sha: sha,
      mediaType: { format: 'raw' },
    });
    expect(new Uint8Array(viaOctokit.data as unknown as ArrayBuffer)).toEqual(BINARY);
    for (const accept of ['application/vnd.github.raw+json', 'application/vnd.github.raw']) {
      const res = await fetch(`${peer.url}/repos/acme/scripts/git/blobs/${sha}`, {
        headers: { accept, authorization: `Bearer ${TOKEN}` },
      });
      expect(res.headers.get('content-type')).toBe('application/vnd.github.raw');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(BINARY);
    }
  });

  it('serves symlink targets as blobs and 404s unknown blobs and non-blobs', async () => {
    const sha = await blobSha('current');
    const { data } = await octokit.rest.git.getBlob({ owner: 'acme', repo: 'scripts', file_sha: sha });
    expect(Buffer.from(data.content, 'base64').toString()).toBe('bin/run.sh');
    expect(await statusOf(octokit.rest.git.getBlob({ owner: 'acme', repo: 'scripts', file_sha: 'a'.repeat(40) }))).toBe(
      404,
    );
    expect(await statusOf(octokit.rest.git.getBlob({ owner: 'acme', repo: 'scripts', file_sha: head }))).toBe(404);
  });
});

describe('tarball', () => {
  it('redirects to codeload, which streams one top-level folder with modes and links', async () => {
    const redirect = await fetch(`${peer.url}/repos/acme/scripts/tarball/main`, {
      redirect: 'manual',
      headers: { authorization: `token ${TOKEN}` },
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${peer.url}/_codeload/acme/scripts/legacy.tar.gz/${head}`);

    const { data, headers } = await octokit.rest.repos.downloadTarballArchive({
      owner: 'acme',
      repo: 'scripts',
      ref: 'main',
    });
    expect(headers['content-type']).toBe('application/x-gzip');
    const entries = await untar(new Uint8Array(data as ArrayBuffer));
    const prefix = `acme-scripts-${head.slice(0, 7)}/`;
    expect(
      [...entries.keys()].filter((name) => name !== 'pax_global_header').every((name) => name.startsWith(prefix)),
    ).toBe(true);
    expect(entries.get(`${prefix}README.md`)?.content.toString()).toBe('# scripts, second edition\n');
    expect(entries.get(`${prefix}bin/run.sh`)!.mode & 0o111).not.toBe(0);
    expect(entries.get(`${prefix}README.md`)!.mode & 0o111).toBe(0);
    expect(new Uint8Array(entries.get(`${prefix}data/blob.bin`)!.content)).toEqual(BINARY);
    expect(entries.get(`${prefix}current`)).toMatchObject({ type: 'symlink', linkname: 'bin/run.sh' });
  });

  it('archives older commits by SHA and 404s unknown refs', async () => {
    const { data } = await octokit.rest.repos.downloadTarballArchive({
      owner: 'acme',
      repo: 'scripts',
      ref: firstCommit,
    });
    const entries = await untar(new Uint8Array(data as ArrayBuffer));
    expect(entries.get(`acme-scripts-${firstCommit.slice(0, 7)}/README.md`)?.content.toString()).toBe('# scripts\n');
    expect(
      await statusOf(octokit.rest.repos.downloadTarballArchive({ owner: 'acme', repo: 'scripts', ref: 'gone' })),
    ).toBe(404);
  });

  it('with its archive cache, makes each archive once and serves the same bytes again', async () => {
    const caching = await GitHubPeer.start({ archiveCache: true });
    try {
      caching.addRepository('acme/scripts', repo);
      const download = async (ref: string): Promise<Buffer> =>
        Buffer.from(await (await fetch(`${caching.url}/repos/acme/scripts/tarball/${ref}`)).arrayBuffer());
      const made = await download('main');
      const cached = await download(head);
      expect(cached.equals(made)).toBe(true);
      expect(caching.archivesMade).toBe(1);
      expect(gunzipSync(made).equals(gunzipSync(await download('main')))).toBe(true);
      // Another commit is another archive; a download cut short still leaves whole ones behind.
      caching.injectFault({ kind: 'reset', match: /^\/_codeload\// });
      await expect(
        fetch(`${caching.url}/repos/acme/scripts/tarball/${firstCommit}`).then((res) => res.arrayBuffer()),
      ).rejects.toThrow();
      const older = await download(firstCommit);
      expect(older.equals(made)).toBe(false);
      expect([...(await untar(new Uint8Array(older))).keys()]).toContain(
        `acme-scripts-${firstCommit.slice(0, 7)}/README.md`,
      );
      const madeSoFar = caching.archivesMade;
      expect((await download(firstCommit)).equals(older)).toBe(true);
      expect(caching.archivesMade).toBe(madeSoFar);
    } finally {
      await caching.stop();
    }
  });

  it('puts a token in codeload URLs of private repositories, and codeload needs it', async () => {
    const redirect = await fetch(`${peer.url}/repos/acme/secret/tarball/main`, {
      redirect: 'manual',
      headers: { authorization: `token ${PRIVATE_TOKEN}` },
    });
    const location = new URL(redirect.headers.get('location')!);
    expect(location.searchParams.get('token')).toMatch(/^[0-9A-F]{40}$/);
    expect((await fetch(location)).status).toBe(200);
    location.search = '';
    expect((await fetch(location)).status).toBe(404);
  });
});

describe('webhooks', () => {
  it('creates, lists and deletes hooks, never echoing the secret', async () => {
    const created = await octokit.rest.repos.createWebhook({
      owner: 'acme',
      repo: 'scripts',
      config: { url: 'https://example.com/api/github/webhook', content_type: 'json', secret: 's3cret' },
      events: ['push'],
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ type: 'Repository', name: 'web', active: true, events: ['push'] });
    expect(created.data.config).toEqual({
      url: 'https://example.com/api/github/webhook',
      content_type: 'json',
      insecure_ssl: '0',
      secret: '********',
    });
    expect(peer.webhooks('acme/scripts')[0]?.config.secret).toBe('s3cret');
    const listed = await octokit.rest.repos.listWebhooks({ owner: 'acme', repo: 'scripts' });
    expect(listed.data.map((hook) => hook.id)).toEqual([created.data.id]);
    const deleted = await octokit.rest.repos.deleteWebhook({
      owner: 'acme',
      repo: 'scripts',
      hook_id: created.data.id,
    });
    expect(deleted.status).toBe(204);
    expect((await octokit.rest.repos.listWebhooks({ owner: 'acme', repo: 'scripts' })).data).toEqual([]);
    expect(
      await statusOf(octokit.rest.repos.deleteWebhook({ owner: 'acme', repo: 'scripts', hook_id: created.data.id })),
    ).toBe(404);
  });

  it('refuses a second hook for the same URL and events with 422, and updates one with PATCH', async () => {
    const config = { url: 'https://example.com/api/github/webhook/dup', content_type: 'json', secret: 'first' };
    const created = await octokit.rest.repos.createWebhook({
      owner: 'acme',
      repo: 'scripts',
      config,
      events: ['push'],
    });
    const duplicate = await octokit.rest.repos
      .createWebhook({ owner: 'acme', repo: 'scripts', config, events: ['push', 'ping'] })
      .catch((error: unknown) => error);
    expect(duplicate).toMatchObject({
      status: 422,
      response: {
        data: { errors: [{ resource: 'Hook', code: 'custom', message: 'Hook already exists on this repository' }] },
      },
    });
    // Same URL, events that do not overlap: allowed, as GitHub documents.
    const other = await octokit.rest.repos.createWebhook({
      owner: 'acme',
      repo: 'scripts',
      config,
      events: ['issues'],
    });
    const updated = await octokit.rest.repos.updateWebhook({
      owner: 'acme',
      repo: 'scripts',
      hook_id: created.data.id,
      config: { ...config, secret: 'second' },
      active: false,
    });
    expect(updated.status).toBe(200);
    expect(updated.data).toMatchObject({
      id: created.data.id,
      active: false,
      events: ['push'],
      config: { url: config.url, secret: '********' },
    });
    expect(peer.webhooks('acme/scripts').find((hook) => hook.id === created.data.id)?.config.secret).toBe('second');
    // A config without a secret removes the secret.
    await octokit.rest.repos.updateWebhook({
      owner: 'acme',
      repo: 'scripts',
      hook_id: created.data.id,
      config: { url: config.url },
    });
    expect(peer.webhooks('acme/scripts').find((hook) => hook.id === created.data.id)?.config.secret).toBeUndefined();
    for (const id of [created.data.id, other.data.id])
      await octokit.rest.repos.deleteWebhook({ owner: 'acme', repo: 'scripts', hook_id: id });
  });

  it('rejects a hook without a url with 422', async () => {
    expect(await statusOf(octokit.rest.repos.createWebhook({ owner: 'acme', repo: 'scripts', config: {} }))).toBe(422);
  });

  it('answers 404 to callers without admin rights, as GitHub does', async () => {
    const reader = client(READER_TOKEN);
    expect((await reader.rest.repos.get({ owner: 'acme', repo: 'readonly' })).data.permissions?.admin).toBe(false);
    expect(
      await statusOf(
        reader.rest.repos.createWebhook({ owner: 'acme', repo: 'readonly', config: { url: 'https://example.com/h' } }),
      ),
    ).toBe(404);
    expect(await statusOf(reader.rest.repos.listWebhooks({ owner: 'acme', repo: 'readonly' }))).toBe(404);
  });
});

describe('authentication and rate limits', () => {
  it('hides private repositories from anonymous callers and other tokens behind 404', async () => {
    expect(await statusOf(client().rest.repos.get({ owner: 'acme', repo: 'secret' }))).toBe(404);
    expect(await statusOf(octokit.rest.repos.get({ owner: 'acme', repo: 'secret' }))).toBe(404);
    const owner = client(PRIVATE_TOKEN);
    expect((await owner.rest.repos.get({ owner: 'acme', repo: 'secret' })).data.private).toBe(true);
    // A private repository without its own token is visible to any valid token, not anonymously.
    expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'readonly' })).data.private).toBe(true);
    expect(await statusOf(client().rest.repos.get({ owner: 'acme', repo: 'readonly' }))).toBe(404);
  });

  it('answers public repositories anonymously, without permissions', async () => {
    const { data } = await client().rest.repos.get({ owner: 'acme', repo: 'scripts' });
    expect(data.permissions).toBeUndefined();
  });

  it('answers 401 Bad credentials for unknown and revoked tokens', async () => {
    expect(await statusOf(client('ghp_unknown').rest.repos.get({ owner: 'acme', repo: 'scripts' }))).toBe(401);
    const doomed = 'ghp_peerTestDoomed0000000000000000000000';
    peer.addToken(doomed);
    const doomedClient = client(doomed);
    expect((await doomedClient.rest.users.getAuthenticated()).status).toBe(200);
    peer.revokeToken(doomed);
    const res = await fetch(`${peer.url}/repos/acme/scripts`, { headers: { authorization: `Bearer ${doomed}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect(res.headers.get('x-ratelimit-limit')).toBe('60');
    expect(res.headers.get('x-github-request-id')).not.toBeNull();
    expect(await statusOf(doomedClient.rest.repos.get({ owner: 'acme', repo: 'scripts' }))).toBe(401);
  });

  it('answers /user for a token and 401 without one', async () => {
    const res = await fetch(`${peer.url}/user`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-oauth-scopes')).toBe('repo, admin:repo_hook');
    expect(((await res.json()) as { login: string }).login).toMatch(/^peer-user-/);
    expect(await statusOf(client().rest.users.getAuthenticated())).toBe(401);
  });

  it('sends GitHub headers on every response and counts calls per token', async () => {
    const counter = 'ghp_peerTestCounter000000000000000000000';
    peer.addToken(counter);
    const get = (path: string) => fetch(`${peer.url}${path}`, { headers: { authorization: `token ${counter}` } });
    const first = await get('/repos/acme/scripts');
    const missing = await get('/repos/acme/nope');
    for (const res of [first, missing]) {
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-ratelimit-limit')).toBe('5000');
      expect(res.headers.get('x-ratelimit-resource')).toBe('core');
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      expect(res.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/);
    }
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(missing.headers.get('x-ratelimit-remaining')).toBe('4998');
    const overview = await get('/rate_limit');
    expect(overview.headers.get('x-ratelimit-remaining')).toBe('4998'); // /rate_limit is free
    const body = (await overview.json()) as {
      rate: { remaining: number; used: number };
      resources: { core: { remaining: number } };
    };
    expect(body.rate).toMatchObject({ remaining: 4998, used: 2 });
    expect(body.resources.core.remaining).toBe(4998);
  });

  it('answers 403 with remaining 0 once the hourly budget is spent', async () => {
    const small = await GitHubPeer.start({ rateLimit: 2 });
    try {
      small.addRepository('acme/scripts', repo);
      small.addToken(TOKEN);
      const get = () => fetch(`${small.url}/repos/acme/scripts`, { headers: { authorization: `token ${TOKEN}` } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const over = await get();
      expect(over.status).toBe(403);
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(((await over.json()) as { message: string }).message).toMatch(/API rate limit exceeded/);
    } finally {
      await small.stop();
    }
  });
});

describe('faults', () => {
  it('answers a queued status for the next matching requests only', async () => {
    peer.injectFault({ kind: 'status', status: 502, times: 2, match: /\/git\/ref\// });
    expect(await statusOf(octokit.rest.repos.get({ owner: 'acme', repo: 'scripts' })).catch(() => 200)).toBe(200);
    expect(await statusOf(octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' }))).toBe(502);
    expect(await statusOf(octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' }))).toBe(502);
    expect((await octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' })).status).toBe(200);
    peer.injectFault({ kind: 'status', status: 404, body: { message: 'Gone fishing' } });
    const res = await fetch(`${peer.url}/repos/acme/scripts`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Gone fishing' });
  });

  it('answers a primary rate limit as GitHub does, and Octokit throttling reads it as one', async () => {
    peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 30 });
    const res = await fetch(`${peer.url}/repos/acme/scripts`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset')) - Date.now() / 1000).toBeGreaterThan(25);

    const seen: string[] = [];
    const Throttled = Octokit.plugin(throttling);
    const throttled = new Throttled({
      baseUrl: peer.url,
      auth: TOKEN,
      log: quiet,
      throttle: {
        onRateLimit: (retryAfter: number) => void seen.push(`primary ${retryAfter}`),
        onSecondaryRateLimit: (retryAfter: number) => void seen.push(`secondary ${retryAfter}`),
      },
    });
    peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 30 });
    expect(await statusOf(throttled.rest.repos.get({ owner: 'acme', repo: 'scripts' }))).toBe(429);
    peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 7, secondary: true });
    expect(await statusOf(throttled.rest.repos.get({ owner: 'acme', repo: 'scripts' }))).toBe(403);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^primary (30|31)$/);
    expect(seen[1]).toBe('secondary 7');
  });

  it('answers a secondary rate limit with 403, retry-after and the secondary message', async () => {
    peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 60, secondary: true });
    const res = await fetch(`${peer.url}/repos/acme/scripts`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(((await res.json()) as { message: string }).message).toMatch(/secondary rate limit/);
  });

  it('resets the connection mid-body, which a client sees as an error', async () => {
    const sha = (await runGit(repo.dir, ['rev-parse', `${head}:data/blob.bin`])).trim();
    peer.injectFault({ kind: 'reset', match: /\/git\/blobs\// });
    const res = await fetch(`${peer.url}/repos/acme/scripts/git/blobs/${sha}`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    // The next request is healthy again.
    expect((await octokit.rest.git.getBlob({ owner: 'acme', repo: 'scripts', file_sha: sha })).data.size).toBe(256);
  });

  it('resets a tarball download mid-stream', async () => {
    peer.injectFault({ kind: 'reset', match: /^\/_codeload\// });
    const res = await fetch(`${peer.url}/repos/acme/scripts/tarball/main`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('Octokit does not throw on a JSON body cut short: data comes back as "" (adapters must check)', async () => {
    peer.injectFault({ kind: 'reset' });
    const outcome = await octokit.rest.repos.get({ owner: 'acme', repo: 'scripts' }).then(
      (response) => ({ data: response.data as unknown }),
      (error: { status?: number }) => ({ status: error.status }),
    );
    // @octokit/request swallows the body read error and falls back to the text it got: "".
    expect(outcome).toEqual({ data: '' });
  });

  it('delays matching requests', async () => {
    peer.injectFault({ kind: 'delay', ms: 300, match: /\/branches\// });
    const started = Date.now();
    await octokit.rest.repos.getBranch({ owner: 'acme', repo: 'scripts', branch: 'main' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Spent on that request: the next one meets no delay. Counted, not timed: the machine's load varies.
    expect(peer.pendingFaults()).toBe(0);
    await octokit.rest.repos.getBranch({ owner: 'acme', repo: 'scripts', branch: 'main' });
  });

  it('matches faults against the decoded path too, and combines a delay with a status', async () => {
    peer.injectFault({ kind: 'delay', ms: 200, match: /git\/ref\/heads\/main$/ });
    peer.injectFault({ kind: 'status', status: 503, match: /git\/ref\/heads\/main$/ });
    const started = Date.now();
    // Octokit sends `git/ref/heads%2Fmain`.
    expect(await statusOf(octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' }))).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' })).status).toBe(200);
  });

  it('clearFaults drops what is queued', async () => {
    peer.injectFault({ kind: 'status', status: 500, times: 5 });
    peer.clearFaults();
    expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'scripts' })).status).toBe(200);
  });
});

describe('request log', () => {
  it('records method, decoded path, query and status of every call', async () => {
    peer.resetRequests();
    await octokit.rest.git.getRef({ owner: 'acme', repo: 'scripts', ref: 'heads/main' });
    await octokit.rest.git.getTree({ owner: 'acme', repo: 'scripts', tree_sha: head, recursive: '1' });
    await statusOf(octokit.rest.repos.get({ owner: 'acme', repo: 'nope' }));
    await octokit.rest.repos.downloadTarballArchive({ owner: 'acme', repo: 'scripts', ref: 'main' });
    expect(peer.requests).toEqual([
      { method: 'GET', path: '/repos/acme/scripts/git/ref/heads/main', query: '', status: 200 },
      { method: 'GET', path: `/repos/acme/scripts/git/trees/${head}`, query: '?recursive=1', status: 200 },
      { method: 'GET', path: '/repos/acme/nope', query: '', status: 404 },
      { method: 'GET', path: '/repos/acme/scripts/tarball/main', query: '', status: 302 },
      { method: 'GET', path: `/_codeload/acme/scripts/legacy.tar.gz/${head}`, query: '', status: 200 },
    ]);
    peer.resetRequests();
    expect(peer.requests).toEqual([]);
  });
});
