/**
 * The benchmark serves a 10,000-file repository through the peer: the peer must not be what is
 * slow. What makes it slow is a git process per request or an uncached listing, so these tests
 * count the git processes each kind of request starts (a count does not move with the machine's
 * load, a time does); the timings themselves belong to `npm run bench`. Tree listings of a new
 * commit reuse what the peer cached for the commit before it, so they are also checked byte for
 * byte against git.
 */
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TreeEntry } from '../support/github-peer/representations';
import * as shapes from '../support/github-peer/representations';
import { gitProcessesStarted, runGitBuffer } from '../support/github-peer/runGit';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';

const FILES = 10_000;
// A cold recursive listing reads the commit, then the trees, in a handful of git processes.
const COLD_TREE_PROCESSES = 4;
// Generated per run: tests never carry anything that looks like a real credential.
const TOKEN = `perf-${randomBytes(12).toString('hex')}`;

let repo: GitRepo;
let peer: GitHubPeer;
let octokit: Octokit;
let head: string;

beforeAll(async () => {
  repo = await GitRepo.create();
  const files = Array.from({ length: FILES }, (_, i) => ({
    path: `scripts/group-${String(i % 100).padStart(3, '0')}/script-${i}.ps1`,
    content: `# script ${i}\n${'Write-Output "line"\n'.repeat(i % 50)}`,
    executable: i % 10 === 0,
  }));
  head = await repo.writeMany(files);
  peer = await GitHubPeer.start();
  peer.addToken(TOKEN);
  peer.addRepository('acme/big', repo);
  octokit = new Octokit({ baseUrl: peer.url, auth: TOKEN });
}, 120_000);

afterAll(async () => {
  await peer?.stop();
  await repo?.dispose();
});

/** Runs `work` and says how many git processes the peer started for it. */
async function counted<T>(work: () => Promise<T>): Promise<{ processes: number; value: T }> {
  const before = gitProcessesStarted();
  const value = await work();
  return { processes: gitProcessesStarted() - before, value };
}

describe('GitHub peer performance on a 10,000-file repository', () => {
  it('answers the recursive tree (10,100 entries) with a few git processes, then from its cache', async () => {
    const getTree = () => octokit.rest.git.getTree({ owner: 'acme', repo: 'big', tree_sha: head, recursive: '1' });
    const cold = await counted(getTree);
    expect(cold.value.data.tree).toHaveLength(FILES + 100 + 1);
    expect(cold.value.data.tree.filter((entry) => entry.mode === '100755')).toHaveLength(FILES / 10);
    // Octokit's own parsing of 2.5 MB of JSON takes ~200 ms; the peer's part is what fetch sees.
    const warm = await counted(async () =>
      (
        await fetch(`${peer.url}/repos/acme/big/git/trees/${head}?recursive=1`, {
          headers: { authorization: `token ${TOKEN}` },
        })
      ).arrayBuffer(),
    );
    expect(cold.processes).toBeLessThanOrEqual(COLD_TREE_PROCESSES);
    expect(warm.processes).toBe(0);
  });

  it('answers the recursive tree of a new commit that changed 10 files from cached sub-trees', async () => {
    // Bytes, as the warm case above: decoding 2.3 MB of UTF-8 is the client's cost, not the peer's.
    const fetchTree = async (sha: string) => {
      const res = await fetch(`${peer.url}/repos/acme/big/git/trees/${sha}?recursive=1`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    await fetchTree(head); // the old commit has been listed once, as a sync would have
    // One file in each of ten group folders, so ten sub-trees plus their parents change.
    const changed = Array.from({ length: 10 }, (_, n) => {
      const i = n * 1_001;
      return {
        path: `scripts/group-${String(i % 100).padStart(3, '0')}/script-${i}.ps1`,
        content: `# script ${i}, edited\n${'Write-Output "new"\n'.repeat(n + 3)}`,
      };
    });
    const next = await repo.writeMany(changed, 'edit 10 files');
    const { processes, value: bytes } = await counted(() => fetchTree(next));
    const value = bytes.toString('utf8');
    const body = JSON.parse(value) as {
      truncated: boolean;
      tree: Array<{ path: string; mode: string; type: string; sha: string; size?: number }>;
    };
    const expected = parseLsTree(await runGitBuffer(repo.dir, ['ls-tree', '-r', '-t', '-l', '-z', next]));
    expect(body.truncated).toBe(false);
    expect(body.tree.map(({ path, mode, type, sha, size }) => ({ path, mode, type, sha, size }))).toEqual(expected);
    // Byte for byte what serialising the documented shape gives (key order included).
    expect(value).toBe(await expectedBody(repo, 'big', next, true));
    expect(
      body.tree.filter((entry) => changed.some((file) => file.path === entry.path)).map((entry) => entry.size),
    ).toEqual(changed.map((file) => Buffer.byteLength(file.content)));
    // Only the changed sub-trees are read again, in the peer's long-lived processes.
    expect(processes).toBeLessThanOrEqual(COLD_TREE_PROCESSES);
  });

  it('answers hundreds of blobs without a git process per request', async () => {
    const { data } = await octokit.rest.git.getTree({ owner: 'acme', repo: 'big', tree_sha: head, recursive: '1' });
    const blobs = data.tree.filter((entry) => entry.type === 'blob').slice(0, 400);
    let next = 0;
    const sizes: number[] = [];
    const { processes } = await counted(() =>
      Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < blobs.length) {
            const entry = blobs[next++]!;
            const res = await fetch(`${peer.url}/repos/acme/big/git/blobs/${entry.sha}`, {
              headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github.raw+json' },
            });
            sizes.push((await res.arrayBuffer()).byteLength);
            expect(res.status).toBe(200);
          }
        }),
      ),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(blobs.reduce((a, b) => a + (b.size ?? 0), 0));
    // 400 blobs at concurrency 16 are served by the peer's long-lived `git cat-file --batch`.
    expect(processes).toBeLessThanOrEqual(2);
  });

  it('answers a 16 MB blob as raw bytes and as GitHub-style base64', async () => {
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    await repo.write('assets/big.bin', big);
    const commit = await repo.commit('big blob');
    const sha = (
      await octokit.rest.git.getTree({ owner: 'acme', repo: 'big', tree_sha: commit, recursive: '1' })
    ).data.tree.find((e) => e.path === 'assets/big.bin')!.sha;
    const raw = await counted(async () => {
      const res = await fetch(`${peer.url}/repos/acme/big/git/blobs/${sha}`, {
        headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github.raw' },
      });
      return Buffer.from(await res.arrayBuffer());
    });
    expect(raw.value.equals(big)).toBe(true);
    expect(raw.processes).toBeLessThanOrEqual(2);
    const json = await counted(async () => {
      const res = await fetch(`${peer.url}/repos/acme/big/git/blobs/${sha}`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      return (await res.json()) as { content: string; size: number };
    });
    expect(json.value.size).toBe(big.length);
    expect(Buffer.from(json.value.content, 'base64').equals(big)).toBe(true);
    expect(json.processes).toBeLessThanOrEqual(2);
  });

  it('streams the tarball of the whole repository', async () => {
    const { processes, value } = await counted(() =>
      octokit.rest.repos.downloadTarballArchive({ owner: 'acme', repo: 'big', ref: head }),
    );
    expect((value.data as ArrayBuffer).byteLength).toBeGreaterThan(10_000);
    expect(processes).toBeLessThanOrEqual(2);
  });
});

describe('incremental tree listings', () => {
  it('stay byte-identical to git through edits, odd names, shared sub-trees, wide levels, truncation and resets', async () => {
    const tricky = await GitRepo.create();
    try {
      peer.addRepository('acme/tricky', tricky);
      await tricky.writeMany([
        { path: 'ünïcødé/файл 名前.txt', content: 'unicode\n' },
        { path: 'odd/quote"back\\slash.txt', content: 'quotes\n' },
        { path: 'odd/tab\there\nnewline.txt', content: 'controls\n' },
        // Names around "/" in git's tree order: "a-b" < "a.b" < "a" (as "a/") < "a0".
        { path: 'a-b', content: '1' },
        { path: 'a.b', content: '2' },
        { path: 'a/b', content: '3' },
        { path: 'a0', content: '4' },
        // Identical folders, big enough to be cached on their own: one SHA under two prefixes.
        ...['x', 'y'].flatMap((top) =>
          Array.from({ length: 70 }, (_, i) => ({
            path: `${top}/same/${i === 0 ? 'one' : i}.ps1`,
            content: `same ${i}\n`,
          })),
        ),
        { path: 'deep/1/2/3/4/5/leaf.sh', content: '#!/bin/sh\n', executable: true },
        // A level of 64+ unknown folders: the first recursive listing comes from one ls-tree.
        ...Array.from({ length: 70 }, (_, i) => ({ path: `wide/folder-${i}/file.txt`, content: `${i}\n` })),
      ]);
      await tricky.symlink('link', 'a/b');
      const first = await tricky.commit('with a link');
      const second = await (async () => {
        await tricky.write('x/same/one.ps1', 'changed\n');
        await tricky.write('odd/tab\there\nnewline.txt', 'controls, changed\n');
        await tricky.write('wide/folder-7/file.txt', 'changed\n');
        await tricky.move('deep/1/2', 'moved/2');
        await tricky.remove('a-b');
        return tricky.writeMany([{ path: 'y/same/two.ps1', content: 'two\n' }], 'edit');
      })();
      // Trees read as objects (the root alone), from one ls-tree (first), then mostly cached.
      for (const commit of [first, second, first]) {
        for (const recursive of [false, true]) {
          expect(await fetchBody('tricky', commit, recursive)).toBe(
            await expectedBody(tricky, 'tricky', commit, recursive),
          );
        }
      }
      peer.setTreeEntryLimit(5);
      try {
        expect(await fetchBody('tricky', second, true)).toBe(await expectedBody(tricky, 'tricky', second, true, 5));
      } finally {
        peer.setTreeEntryLimit(100_000);
      }
      // A cut-short tree answer fails on the client; the next one is whole again.
      peer.injectFault({ kind: 'reset', match: /\/git\/trees\// });
      const cut = await fetch(`${peer.url}/repos/acme/tricky/git/trees/${second}?recursive=1`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      await expect(cut.arrayBuffer()).rejects.toThrow();
      expect(await fetchBody('tricky', second, true)).toBe(await expectedBody(tricky, 'tricky', second, true));
    } finally {
      await tricky.dispose();
    }
  });
});

async function fetchBody(name: string, commit: string, recursive: boolean): Promise<string> {
  const res = await fetch(`${peer.url}/repos/acme/${name}/git/trees/${commit}${recursive ? '?recursive=1' : ''}`, {
    headers: { authorization: `token ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(await res.clone().text()));
  return res.text();
}

/** The JSON GitHub's documented shape gives for `git ls-tree [-r -t] -l` of the commit. */
async function expectedBody(
  from: GitRepo,
  name: string,
  commit: string,
  recursive: boolean,
  limit = 100_000,
): Promise<string> {
  const treeSha = (await runGitBuffer(from.dir, ['rev-parse', `${commit}^{tree}`])).toString('utf8').trim();
  const entries = parseLsTree(
    await runGitBuffer(from.dir, ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), commit]),
  );
  const view = {
    api: peer.url,
    owner: 'acme',
    name,
    id: 1,
    private: false,
    defaultBranch: 'main',
    createdAt: '',
    permissions: null,
  };
  return JSON.stringify(shapes.gitTree(view, treeSha, entries.slice(0, limit), entries.length > limit));
}

/** `git ls-tree -z -l` records (`<mode> <type> <sha> <size>\t<path>`) as the API's entry fields. */
function parseLsTree(out: Buffer): TreeEntry[] {
  return out
    .toString('utf8')
    .split('\0')
    .filter((record) => record.length > 0)
    .map((record) => {
      const tab = record.indexOf('\t');
      const [mode, type, sha, size] = record.slice(0, tab).split(/ +/) as [string, TreeEntry['type'], string, string];
      return { path: record.slice(tab + 1), mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}) };
    });
}
