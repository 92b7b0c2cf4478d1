import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  GitHubSourceRepositoryFactory,
  type GitHubSourceRepositoryOptions,
} from '../../../src/adapters/github/GitHubSourceRepositoryFactory';
import {
  type ArchiveFile,
  ArchiveMismatch,
  type SourceBytes,
  SourceError,
  type SourceErrorCode,
  type SourceRepository,
  type SourceTreeEntry,
} from '../../../src/ports/SourceRepository';
import { captureLogger } from '../../support/captureLogger';
import { GitHubPeer } from '../../support/githubPeer';
import { GitRepo } from '../../support/gitRepo';

/**
 * Behaviour specific to the GitHub adapter, against the GitHub-shaped peer: retries, rate limits,
 * resets, timeouts, truncated-tree walking and the number of requests each operation costs.
 */

const TREES = /\/git\/trees\//;
const BLOBS = /\/git\/blobs\//;
const REF = /\/git\/ref\//;
const CODELOAD = /\/_codeload\//;

/** 300 files in 5 x 6 folders (60 per top folder, 10 per leaf), plus one file at two levels. */
const NESTED_FILES = [
  { path: 'README.md', content: '# nested\n' },
  { path: 'pkg-0/index.ps1', content: 'Write-Host index\n', executable: true },
  ...Array.from({ length: 300 }, (_, i) => ({
    path: `pkg-${i % 5}/mod-${Math.floor(i / 5) % 6}/file-${i}.txt`,
    content: `file ${i}\n`,
  })),
];
/**
 * With a 50-entry limit: the root's recursive listing (1) is truncated, so the root is listed one
 * level (1); each pkg's recursive listing (5, 67 or 66 entries) is truncated too, so each pkg is
 * listed one level (5); each leaf folder fits in one recursive listing (30).
 */
const WALK_REQUESTS = 1 + 1 + 5 + 5 + 30;

const LARGE = randomBytes(2 * 1024 * 1024);

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(SourceError);
  return thrown as SourceError;
}

async function expectCode(promise: Promise<unknown>, code: SourceErrorCode): Promise<SourceError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  return error;
}

async function readAll(stream: SourceBytes): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

async function collect(files: AsyncIterable<ArchiveFile>): Promise<Array<{ path: string; content: Buffer }>> {
  const out: Array<{ path: string; content: Buffer }> = [];
  for await (const file of files) out.push({ path: file.path, content: await readAll(file.content) });
  return out;
}

const expectedOf = (entries: readonly SourceTreeEntry[]): Map<string, string> =>
  new Map(entries.filter((entry) => entry.type === 'blob').map((entry) => [entry.path, entry.sha]));

describe('GitHubSourceRepository against the GitHub peer', () => {
  let peer: GitHubPeer;
  let small: GitRepo;
  let nested: GitRepo;
  let smallHead: string;
  let nestedHead: string;
  let wideHead: string;
  let wide: GitRepo;
  const token = `ghp_${randomBytes(18).toString('hex')}`;

  const factory = (options: Partial<GitHubSourceRepositoryOptions> = {}): GitHubSourceRepositoryFactory =>
    new GitHubSourceRepositoryFactory({
      baseUrl: peer.url,
      retryBaseDelayMs: 20,
      requestTimeoutMs: 10_000,
      ...options,
    });
  const open = (repository = 'acme/small', options: Partial<GitHubSourceRepositoryOptions> = {}): SourceRepository =>
    factory(options).open({ repository, token });
  const statuses = (pattern: RegExp): number[] =>
    peer.requests.filter((request) => pattern.test(request.path)).map((request) => request.status);

  beforeAll(async () => {
    peer = await GitHubPeer.start();
    small = await GitRepo.create();
    await small.write('scripts/hello.ps1', 'Write-Host hello\n');
    await small.write('bin/large.bin', LARGE);
    await small.write('bin/tool.sh', '#!/bin/sh\n', { executable: true });
    smallHead = await small.commit('small');
    nested = await GitRepo.create();
    nestedHead = await nested.writeMany(NESTED_FILES);
    wide = await GitRepo.create();
    wideHead = await wide.writeMany(
      Array.from({ length: 12 }, (_, i) => ({ path: `flat/f-${i}.txt`, content: `${i}` })),
    );
    peer.addRepository('acme/small', small, { token });
    peer.addRepository('acme/nested', nested, { token });
    peer.addRepository('acme/wide', wide, { token });
  });

  afterEach(() => {
    peer.clearFaults();
    peer.setTreeEntryLimit(100_000);
    peer.resetRequests();
  });

  afterAll(async () => {
    await peer?.stop();
    await Promise.all([small, nested, wide].map((repo) => repo?.dispose()));
  });

  describe('request counts', () => {
    it('head + tree + N blobs costs exactly 2 + N requests', async () => {
      const source = open();
      const head = await source.branchHead('main');
      const { entries } = await source.tree(head!);
      const blobs = entries.filter((entry) => entry.type === 'blob');
      expect(blobs).toHaveLength(3);
      for (const blob of blobs) await readAll(await source.blob(blob.sha, blob.size!));
      expect(source.requestCount).toBe(2 + blobs.length);
      expect(peer.requests).toHaveLength(2 + blobs.length);
    });

    it('an archive is one API request; the redirect to codeload is followed, not counted', async () => {
      const expected = expectedOf((await open().tree(smallHead)).entries);
      peer.resetRequests();
      const source = open();
      const files = await collect(source.archive(smallHead, expected));
      expect(files.map((file) => file.path).sort()).toEqual(['bin/large.bin', 'bin/tool.sh', 'scripts/hello.ps1']);
      expect(files.find((file) => file.path === 'bin/large.bin')!.content.equals(LARGE)).toBe(true);
      expect(source.requestCount).toBe(1);
      expect(peer.requests.map((request) => request.status)).toEqual([302, 200]);
    });
  });

  describe('archive download', () => {
    const smallFiles = ['bin/large.bin', 'bin/tool.sh', 'scripts/hello.ps1'];
    const pathsOf = (files: Array<{ path: string }>): string[] => files.map((file) => file.path).sort();

    it("follows a renamed repository's API redirect with the token, then downloads from codeload", async () => {
      peer.addRepository('acme/old-name', small, { token, private: true });
      peer.renameRepository('acme/old-name', 'acme/new-name');
      const expected = expectedOf((await open('acme/new-name').tree(smallHead)).entries);
      peer.resetRequests();
      const source = open('acme/old-name');
      expect(pathsOf(await collect(source.archive(smallHead, expected)))).toEqual(smallFiles);
      expect(peer.requests.map((request) => request.status)).toEqual([301, 302, 200]);
      expect(source.requestCount).toBe(2); // the two API requests; codeload is not the API
    });

    it('unpacks an archive the API answers with itself (no redirect)', async () => {
      peer.addRepository('acme/answered', small, { token, archiveAnswered: true });
      const expected = expectedOf((await open('acme/answered').tree(smallHead)).entries);
      peer.resetRequests();
      const source = open('acme/answered');
      const files = await collect(source.archive(smallHead, expected));
      expect(pathsOf(files)).toEqual(smallFiles);
      expect(files.find((file) => file.path === 'bin/large.bin')!.content.equals(LARGE)).toBe(true);
      expect(peer.requests.map((request) => request.status)).toEqual([200]);
      expect(source.requestCount).toBe(1);
    });

    it('answers NotFound when codeload answers 404, Unavailable when it answers 503', async () => {
      const expected = expectedOf((await open().tree(smallHead)).entries);
      peer.injectFault({ kind: 'status', status: 404, times: 1, match: CODELOAD });
      await expectCode(collect(open().archive(smallHead, expected)), 'NotFound');
      peer.injectFault({ kind: 'status', status: 503, times: 1, match: CODELOAD });
      const error = await expectCode(collect(open().archive(smallHead, expected)), 'Unavailable');
      expect(error.retryable).toBe(true);
    });

    it('times out a codeload that stays silent, as Unavailable', async () => {
      const expected = expectedOf((await open().tree(smallHead)).entries);
      peer.injectFault({ kind: 'delay', ms: 3_000, times: 1, match: CODELOAD });
      const error = await expectCode(
        collect(open('acme/small', { requestTimeoutMs: 300 }).archive(smallHead, expected)),
        'Unavailable',
      );
      expect(error.message).toMatch(/no data from GitHub for 300 ms/); // the timeout's own failure, not the delay's end
    });
  });

  describe('archive bytes that are not the blob', () => {
    let substituted: GitRepo | undefined;
    afterAll(async () => {
      await substituted?.dispose();
    });

    it("fails an export-subst file with ArchiveMismatch (the peer's archive is `git archive` output); its blob is the committed bytes", async () => {
      substituted = await GitRepo.create();
      await substituted.write('.gitattributes', 'version.txt export-subst\n');
      await substituted.write('version.txt', 'commit $Format:%H$\n');
      await substituted.write('plain.txt', 'plain $Format:%H$\n'); // no attribute: archived as is
      const head = await substituted.commit('export-subst');
      peer.addRepository('acme/substituted', substituted, { token });
      const source = open('acme/substituted');
      const { entries } = await source.tree(head);
      const outcomes = new Map<string, { text: string; error?: unknown }>();
      for await (const file of source.archive(head, expectedOf(entries))) {
        const parts: Buffer[] = [];
        try {
          for await (const chunk of file.content) parts.push(Buffer.from(chunk));
          outcomes.set(file.path, { text: Buffer.concat(parts).toString('utf8') });
        } catch (error) {
          outcomes.set(file.path, { text: Buffer.concat(parts).toString('utf8'), error });
        }
      }
      expect(outcomes.get('plain.txt')).toEqual({ text: 'plain $Format:%H$\n' });
      expect(outcomes.get('.gitattributes')).toEqual({ text: 'version.txt export-subst\n' });
      const version = outcomes.get('version.txt')!;
      expect(version.text).toBe(`commit ${head}\n`); // what git archive wrote
      expect(version.error).toBeInstanceOf(ArchiveMismatch);
      const blob = entries.find((entry) => entry.path === 'version.txt')!;
      expect(version.error).toMatchObject({ path: 'version.txt', expectedSha: blob.sha });
      expect((await readAll(await source.blob(blob.sha, blob.size!))).toString('utf8')).toBe('commit $Format:%H$\n');
    });
  });

  describe('streaming', () => {
    it('hands a multi-MB blob and archive entry over in many chunks, none of them the whole file', async () => {
      const source = open();
      const { entries } = await source.tree(smallHead);
      const large = entries.find((entry) => entry.path === 'bin/large.bin')!;
      const chunkSizes = async (stream: SourceBytes): Promise<number[]> => {
        const sizes: number[] = [];
        for await (const chunk of stream) sizes.push(chunk.byteLength);
        return sizes;
      };
      const fromBlob = await chunkSizes(await source.blob(large.sha, large.size!));
      let fromArchive: number[] = [];
      for await (const file of source.archive(smallHead, new Map([['bin/large.bin', large.sha]])))
        fromArchive = await chunkSizes(file.content);
      for (const sizes of [fromBlob, fromArchive]) {
        expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(LARGE.byteLength);
        expect(sizes.length).toBeGreaterThan(8);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(1024 * 1024);
      }
    });
  });

  describe('retries', () => {
    it('retries a 500 twice, then succeeds', async () => {
      peer.injectFault({ kind: 'status', status: 500, times: 2, match: TREES });
      const source = open();
      const tree = await source.tree(smallHead);
      expect(tree.entries.length).toBeGreaterThan(0);
      expect(statuses(TREES)).toEqual([500, 500, 200]);
      expect(source.requestCount).toBe(3);
    });

    it('gives up with a retryable Unavailable after `retries` retries', async () => {
      peer.injectFault({ kind: 'status', status: 502, times: 10, match: REF });
      const source = open('acme/small', { retries: 2 });
      const error = await expectCode(source.branchHead('main'), 'Unavailable');
      expect(error.retryable).toBe(true);
      expect(statuses(REF)).toEqual([502, 502, 502]);
      expect(source.requestCount).toBe(3);
    });

    it('does not retry a 403 that is not a rate limit, and reports it as Unauthorized', async () => {
      peer.injectFault({ kind: 'status', status: 403, times: 5, match: REF });
      const source = open();
      const error = await expectCode(source.branchHead('main'), 'Unauthorized');
      expect(error.retryable).toBe(false);
      expect(source.requestCount).toBe(1);
    });

    it('retries a connection reset mid-body, then returns every byte', async () => {
      const { entries } = await open().tree(smallHead);
      const large = entries.find((entry) => entry.path === 'bin/large.bin')!;
      peer.injectFault({ kind: 'reset', times: 1, match: BLOBS });
      const source = open();
      const content = await readAll(await source.blob(large.sha, large.size!));
      expect(content.equals(LARGE)).toBe(true); // resumed after the bytes already handed out, none twice
      expect(source.requestCount).toBe(2);
    });

    it('retries a reset mid-way through a JSON answer', async () => {
      peer.injectFault({ kind: 'reset', times: 1, match: TREES });
      const source = open('acme/nested');
      const tree = await source.tree(nestedHead);
      expect(tree.entries).toHaveLength(NESTED_FILES.length + 5 + 30);
      expect(source.requestCount).toBe(2);
    });

    it('answers Unavailable when the resets persist', async () => {
      const { entries } = await open().tree(smallHead);
      const large = entries.find((entry) => entry.path === 'bin/large.bin')!;
      peer.injectFault({ kind: 'reset', times: 10, match: BLOBS });
      const source = open('acme/small', { retries: 2 });
      const error = await expectCode(source.blob(large.sha, large.size!).then(readAll), 'Unavailable');
      expect(error.retryable).toBe(true);
      expect(source.requestCount).toBe(3);
    });

    it('ends an archive with Unavailable when the stream breaks (files already given are not re-sent)', async () => {
      const expected = expectedOf((await open().tree(smallHead)).entries);
      peer.injectFault({ kind: 'reset', times: 1, match: CODELOAD });
      const source = open();
      const error = await expectCode(collect(source.archive(smallHead, expected)), 'Unavailable');
      expect(error.retryable).toBe(true);
      expect(source.requestCount).toBe(1);
    });

    it('times out a silent server, retries, then answers Unavailable', async () => {
      peer.injectFault({ kind: 'delay', ms: 3_000, times: 2, match: REF });
      const source = open('acme/small', { retries: 1, requestTimeoutMs: 300 });
      const started = Date.now();
      const error = await expectCode(source.branchHead('main'), 'Unavailable');
      expect(Date.now() - started).toBeLessThan(2_900); // two waits of the 3 s delay would take 6 s
      expect(error.message).toMatch(/300 ms/);
      expect(source.requestCount).toBe(2);
    });
  });

  describe('rate limits', () => {
    it('waits out a 429 with retry-after 1 s, then succeeds', async () => {
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1, match: REF });
      const source = open();
      const started = Date.now();
      expect(await source.branchHead('main')).toBe(smallHead);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(950);
      expect(waited).toBeLessThan(5_000);
      expect(statuses(REF)).toEqual([429, 200]);
      expect(source.requestCount).toBe(2);
    });

    it('waits out a secondary rate limit (403 + retry-after), then succeeds', async () => {
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 1, match: TREES, secondary: true });
      const source = open();
      const started = Date.now();
      await source.tree(smallHead);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(statuses(TREES)).toEqual([403, 200]);
    });

    it('hands a long retry-after back as RateLimited with retryAfterMs, without waiting', async () => {
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 3_600, times: 1, match: REF });
      const source = open();
      const started = Date.now();
      const error = await expectCode(source.branchHead('main'), 'RateLimited');
      expect(Date.now() - started).toBeLessThan(5_000); // waiting would take an hour
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(3_590_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(3_602_000);
      expect(source.requestCount).toBe(1);
    });

    it('hands a long secondary limit back too', async () => {
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 120, times: 1, match: BLOBS, secondary: true });
      const source = open('acme/small', { maxRetryAfterSeconds: 60 });
      const error = await expectCode(source.blob('0123456789abcdef0123456789abcdef01234567', 1), 'RateLimited');
      expect(error.retryAfterMs).toBe(120_000);
    });

    it("treats a bare 429 (no retry-after, quota left) as a rate limit with GitHub's advised 60 s", async () => {
      peer.injectFault({ kind: 'status', status: 429, times: 1, match: REF });
      const source = open('acme/small', { maxRetryAfterSeconds: 30 });
      const error = await expectCode(source.branchHead('main'), 'RateLimited');
      expect(error.retryAfterMs).toBe(60_000);
      expect(source.requestCount).toBe(1);
    });

    it('stops waiting after `retries` rate limits in a row', async () => {
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1, times: 5, match: REF, secondary: true });
      const source = open('acme/small', { retries: 2 });
      await expectCode(source.branchHead('main'), 'RateLimited');
      expect(statuses(REF)).toEqual([403, 403, 403]);
    });
  });

  describe('truncated trees', () => {
    it('walks a truncated tree to exactly the untruncated tree, and the requests show the walk', async () => {
      const whole = await open('acme/nested').tree(nestedHead);
      expect(whole.entries).toHaveLength(NESTED_FILES.length + 5 + 30);
      peer.resetRequests();
      peer.setTreeEntryLimit(50);
      const source = open('acme/nested');
      const walked = await source.tree(nestedHead);
      expect(walked.entries).toEqual(whole.entries);
      expect(source.requestCount).toBe(WALK_REQUESTS);
      const queries = peer.requests.map((request) => request.query);
      expect(queries.filter((query) => query.includes('recursive')).length).toBe(1 + 5 + 30);
      expect(queries.filter((query) => !query.includes('recursive')).length).toBe(1 + 5);
    });

    it('walks only the requested sub-path of a truncated tree', async () => {
      const whole = await open('acme/nested').tree(nestedHead, 'pkg-0');
      peer.setTreeEntryLimit(50);
      const source = open('acme/nested');
      const walked = await source.tree(nestedHead, 'pkg-0');
      expect(walked.entries).toEqual(whole.entries);
      expect(walked.entries.some((entry) => entry.path === 'index.ps1')).toBe(true);
      // root recursive (truncated), root one level, pkg-0 recursive (truncated), pkg-0 one level, 6 leaves.
      expect(source.requestCount).toBe(1 + 1 + 1 + 1 + 6);
    });

    it('answers NotFound for a missing sub-path of a truncated tree', async () => {
      peer.setTreeEntryLimit(10); // the root (6 entries) lists in one level, recursively it does not
      await expectCode(open('acme/nested').tree(nestedHead, 'pkg-9/mod-1'), 'NotFound');
      await expectCode(open('acme/nested').tree(nestedHead, 'README.md'), 'NotFound');
    });

    it('answers TreeIncomplete when one folder alone holds more entries than GitHub lists', async () => {
      peer.setTreeEntryLimit(5);
      const error = await expectCode(open('acme/wide').tree(wideHead), 'TreeIncomplete');
      expect(error.retryable).toBe(true);
    });

    it('answers TreeIncomplete, not a partial tree, when a walk request fails', async () => {
      peer.setTreeEntryLimit(50);
      peer.injectFault({ kind: 'status', status: 500, times: 10, match: /\/git\/trees\/.*recursive/ });
      const source = open('acme/nested', { retries: 0 });
      const error = await failure(source.tree(nestedHead));
      expect(error.retryable).toBe(true);
    });
  });

  describe('secrets', () => {
    it('never puts the token in an error message or a log line', async () => {
      const { logger, text } = captureLogger('debug');
      const make = factory({ logger, retries: 1 });
      const source = make.open({ repository: 'acme/small', token });
      peer.injectFault({
        kind: 'status',
        status: 500,
        times: 2,
        match: REF,
        body: { message: `token ${token} is broken` },
      });
      const serverError = await expectCode(source.branchHead('main'), 'Unavailable');
      peer.injectFault({ kind: 'rate-limit', retryAfterSeconds: 0, times: 1, match: REF });
      await source.branchHead('main');
      const revokedToken = `ghp_${randomBytes(18).toString('hex')}`;
      peer.addRepository('acme/revoked', small, { token: revokedToken });
      peer.revokeToken(revokedToken);
      const unauthorized = await expectCode(
        make.open({ repository: 'acme/revoked', token: revokedToken }).tree(smallHead),
        'Unauthorized',
      );

      expect(serverError.message).toContain('[redacted]');
      for (const message of [serverError.message, unauthorized.message]) {
        expect(message).not.toContain(token);
        expect(message).not.toContain(revokedToken);
      }
      expect(text()).toContain('rate limit'); // the logger did receive lines
      expect(text()).not.toContain(token);
      expect(text()).not.toContain(revokedToken);
    });
  });
});
