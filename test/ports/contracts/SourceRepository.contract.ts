import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveFile,
  ArchiveMismatch,
  type SourceBytes,
  SourceError,
  type SourceErrorCode,
  type SourceRepository,
  type SourceRepositoryFactory,
  type SourceTreeEntry,
} from '../../../src/ports/SourceRepository';

/** A file to publish; a symlink holds `symlinkTo` as its content, as git stores it. */
interface SourceFixtureFile {
  readonly path: string;
  readonly content?: string | Uint8Array;
  readonly executable?: boolean;
  readonly symlinkTo?: string;
}

interface PublishedRepository {
  readonly repository: string;
  /** A token that may read `repository` (fresh per publish, so revoking it affects nothing else). */
  readonly token: string;
  readonly commitSha: string;
}

/** Creates repository content behind an adapter, whatever the adapter talks to. */
export interface SourceRepositoryFixture {
  readonly factory: SourceRepositoryFactory;
  /** A new repository whose `branch` (default 'main') holds exactly `files` in one commit. */
  publish(files: readonly SourceFixtureFile[], opts?: { branch?: string }): Promise<PublishedRepository>;
  /** Makes the token invalid (GitHub would answer 401). */
  revoke(token: string): Promise<void>;
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();
const bytesOf = (content: string | Uint8Array | undefined): Uint8Array =>
  typeof content === 'string' ? encoder.encode(content) : (content ?? new Uint8Array(0));

const ALL_BYTE_VALUES = Uint8Array.from({ length: 256 }, (_, i) => i);
/** Deterministic bytes that do not repeat on short cycles, so an offset or truncation shows up. */
const LARGE = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >>> 9)) & 0xff);

/** Nested folders, every file mode, empty/binary/large/unicode content. */
const STANDARD_FILES: readonly SourceFixtureFile[] = [
  { path: 'README.md', content: '# scripts\n' },
  { path: 'bin/run.sh', content: '#!/bin/sh\necho run\n', executable: true },
  { path: 'link-to-readme', symlinkTo: 'README.md' },
  { path: 'scripts/a/b/deep.ps1', content: 'Write-Host "deep"\r\n' },
  { path: 'scripts/a/empty.txt', content: '' },
  { path: 'scripts/binary.bin', content: ALL_BYTE_VALUES },
  { path: 'scripts/a-sibling.txt', content: 'sorts between scripts/a and scripts/a/...' },
  { path: 'docs/with space/ünïcödé.txt', content: 'naïve café\n' },
  { path: 'big/large.bin', content: LARGE },
];

function gitBlobSha(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

function expectedBlob(file: SourceFixtureFile): { mode: string; sha: string; size: number } {
  const content = file.symlinkTo !== undefined ? bytesOf(file.symlinkTo) : bytesOf(file.content);
  const mode = file.symlinkTo !== undefined ? '120000' : file.executable ? '100755' : '100644';
  return { mode, sha: gitBlobSha(content), size: content.byteLength };
}

/** Every folder on the way to each path. */
function foldersOf(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth++) folders.add(segments.slice(0, depth).join('/'));
  }
  return [...folders].sort();
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
  );
}

function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(sameBytes(actual, expected)).toBe(true);
}

async function expectSourceError(promise: Promise<unknown>, code: SourceErrorCode): Promise<SourceError> {
  const thrown: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(SourceError);
  expect((thrown as SourceError).code).toBe(code);
  return thrown as SourceError;
}

/** An archive file with its content read, as the caller must do before pulling the next file. */
interface ReadArchiveFile {
  readonly path: string;
  readonly executable: boolean;
  readonly size: number;
  readonly content: Uint8Array;
}

async function readStream(stream: SourceBytes): Promise<{ bytes: Uint8Array; chunks: number; largestChunk: number }> {
  const parts: Buffer[] = [];
  let largestChunk = 0;
  for await (const chunk of stream) {
    expect(chunk).toBeInstanceOf(Uint8Array);
    parts.push(Buffer.from(chunk)); // a copy: the source may reuse its buffers
    largestChunk = Math.max(largestChunk, chunk.byteLength);
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), chunks: parts.length, largestChunk };
}

async function readAll(stream: SourceBytes): Promise<Uint8Array> {
  return (await readStream(stream)).bytes;
}

async function collect(files: AsyncIterable<ArchiveFile>): Promise<ReadArchiveFile[]> {
  const out: ReadArchiveFile[] = [];
  for await (const file of files)
    out.push({ path: file.path, executable: file.executable, size: file.size, content: await readAll(file.content) });
  return out;
}

/** What a caller expects of every blob of a tree: path -> blob SHA. */
const expectedOf = (entries: readonly SourceTreeEntry[]): Map<string, string> =>
  new Map(entries.filter((entry) => entry.type === 'blob').map((entry) => [entry.path, entry.sha]));

const byPath = (entries: readonly SourceTreeEntry[]): Map<string, SourceTreeEntry> =>
  new Map(entries.map((entry) => [entry.path, entry]));

/**
 * The behaviour every SourceRepository adapter must show. One fixture serves the whole suite;
 * each test publishes what it needs (repositories are cheap and never shared between mutations).
 */
export function describeSourceRepositoryContract(
  name: string,
  makeFixture: () => Promise<SourceRepositoryFixture>,
): void {
  describe(`SourceRepository contract: ${name}`, () => {
    let fixture: SourceRepositoryFixture;
    let standard: PublishedRepository;
    const openStandard = (): SourceRepository =>
      fixture.factory.open({ repository: standard.repository, token: standard.token });

    beforeAll(async () => {
      fixture = await makeFixture();
      standard = await fixture.publish(STANDARD_FILES);
    });

    afterAll(async () => {
      await fixture?.cleanup();
    });

    describe('branchHead', () => {
      it('returns the commit at the head of the branch', async () => {
        expect(await openStandard().branchHead('main')).toBe(standard.commitSha);
      });

      it('returns null for a branch that does not exist', async () => {
        expect(await openStandard().branchHead('no-such-branch')).toBeNull();
      });

      it('reads a branch whose name has slashes, and not its prefix', async () => {
        const published = await fixture.publish([{ path: 'x.txt', content: 'x' }], { branch: 'feature/deep/topic' });
        const source = fixture.factory.open({ repository: published.repository, token: published.token });
        expect(await source.branchHead('feature/deep/topic')).toBe(published.commitSha);
        expect(await source.branchHead('feature/deep')).toBeNull();
      });
    });

    describe('tree', () => {
      it("lists every file and folder with git's modes, sizes and blob SHAs", async () => {
        const tree = await openStandard().tree(standard.commitSha);
        expect(tree.commitSha).toBe(standard.commitSha);
        const entries = byPath(tree.entries);
        const filePaths = STANDARD_FILES.map((file) => file.path);
        expect([...entries.keys()].sort()).toEqual([...filePaths, ...foldersOf(filePaths)].sort());
        for (const file of STANDARD_FILES) {
          const expected = expectedBlob(file);
          expect(entries.get(file.path), file.path).toEqual({ path: file.path, type: 'blob', ...expected });
        }
        for (const folder of foldersOf(filePaths)) {
          const entry = entries.get(folder);
          expect(entry?.type, folder).toBe('tree');
          expect(entry?.mode, folder).toBe('040000');
          expect(entry?.sha, folder).toMatch(/^[0-9a-f]{40}$/);
        }
      });

      it('lists each folder before what it contains', async () => {
        const { entries } = await openStandard().tree(standard.commitSha);
        const position = new Map(entries.map((entry, index) => [entry.path, index]));
        for (const entry of entries) {
          const parent = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : undefined;
          if (parent !== undefined)
            expect(position.get(parent), entry.path).toBeLessThan(position.get(entry.path) ?? -1);
        }
      });

      it('re-roots the entries under a sub-path', async () => {
        const tree = await openStandard().tree(standard.commitSha, 'scripts');
        expect(tree.commitSha).toBe(standard.commitSha);
        expect(tree.entries.map((entry) => entry.path).sort()).toEqual(
          ['a', 'a/b', 'a/b/deep.ps1', 'a/empty.txt', 'a-sibling.txt', 'binary.bin'].sort(),
        );
        const deep = byPath(tree.entries).get('a/b/deep.ps1');
        expect(deep).toEqual({ path: 'a/b/deep.ps1', type: 'blob', ...expectedBlob(STANDARD_FILES[3]!) });
      });

      it('accepts a nested sub-path with surrounding slashes', async () => {
        const tree = await openStandard().tree(standard.commitSha, '/scripts/a/');
        expect(tree.entries.map((entry) => entry.path).sort()).toEqual(['b', 'b/deep.ps1', 'empty.txt']);
      });

      it('names the tree it read, and reads the same entries given a tree it read before', async () => {
        const whole = await openStandard().tree(standard.commitSha);
        const sub = await openStandard().tree(standard.commitSha, 'scripts');
        expect(whole.treeSha).toMatch(/^[0-9a-f]{40}$/);
        expect(sub.treeSha).toBe(byPath(whole.entries).get('scripts')?.sha);
        const known = { treeSha: whole.treeSha!, entries: whole.entries };
        const again = await openStandard().tree(standard.commitSha, undefined, known);
        const order = (entries: readonly SourceTreeEntry[]) =>
          [...entries].sort((a, b) => a.path.localeCompare(b.path));
        expect(order(again.entries)).toEqual(order(whole.entries));
        expect(again.treeSha).toBe(whole.treeSha);
        const subAgain = await openStandard().tree(standard.commitSha, 'scripts', known);
        expect(order(subAgain.entries)).toEqual(order(sub.entries));
      });

      it("treats '' as the whole repository", async () => {
        const whole = await openStandard().tree(standard.commitSha);
        const empty = await openStandard().tree(standard.commitSha, '');
        expect(empty.entries).toEqual(whole.entries);
      });

      it('answers NotFound for a sub-path that does not exist or is not a folder', async () => {
        const missing = await expectSourceError(openStandard().tree(standard.commitSha, 'scripts/nope'), 'NotFound');
        expect(missing.message).toContain('scripts/nope');
        expect(missing.retryable).toBe(false);
        await expectSourceError(openStandard().tree(standard.commitSha, 'README.md'), 'NotFound');
        // A prefix of a real folder name is not that folder.
        await expectSourceError(openStandard().tree(standard.commitSha, 'scr'), 'NotFound');
      });

      it('answers NotFound for a commit that does not exist', async () => {
        await expectSourceError(openStandard().tree('0123456789abcdef0123456789abcdef01234567'), 'NotFound');
      });
    });

    describe('blob', () => {
      it('returns text, binary (all 256 byte values), empty and large content byte for byte', async () => {
        const source = openStandard();
        const { entries } = await source.tree(standard.commitSha);
        const entry = byPath(entries);
        for (const path of [
          'README.md',
          'scripts/binary.bin',
          'scripts/a/empty.txt',
          'big/large.bin',
          'docs/with space/ünïcödé.txt',
        ]) {
          const file = STANDARD_FILES.find((candidate) => candidate.path === path)!;
          const { sha, size } = entry.get(path)!;
          expectBytes(await readAll(await source.blob(sha, size!)), bytesOf(file.content));
        }
      });

      it('streams a large blob in several chunks, never the blob in one buffer', async () => {
        const source = openStandard();
        const { sha, size } = byPath((await source.tree(standard.commitSha)).entries).get('big/large.bin')!;
        const read = await readStream(await source.blob(sha, size!));
        expectBytes(read.bytes, LARGE);
        expect(read.chunks).toBeGreaterThan(1);
        expect(read.largestChunk).toBeLessThan(LARGE.byteLength);
      });

      it("returns a symlink's target", async () => {
        const source = openStandard();
        expectBytes(
          await readAll(await source.blob(gitBlobSha(bytesOf('README.md')), 'README.md'.length)),
          bytesOf('README.md'),
        );
      });

      it('answers NotFound for a blob that does not exist', async () => {
        await expectSourceError(openStandard().blob('0123456789abcdef0123456789abcdef01234567', 1), 'NotFound');
      });

      it('fails the stream (retryable Unavailable), instead of ending it, when the blob is not the size asked for', async () => {
        const source = openStandard();
        const { sha, size } = byPath((await source.tree(standard.commitSha)).entries).get('README.md')!;
        for (const wrongSize of [size! - 1, size! + 1]) {
          const error = await expectSourceError(readAll(await source.blob(sha, wrongSize)), 'Unavailable');
          expect(error.retryable).toBe(true);
        }
      });

      it('can be abandoned part-way and read again', async () => {
        const source = openStandard();
        const { sha, size } = byPath((await source.tree(standard.commitSha)).entries).get('big/large.bin')!;
        for await (const chunk of await source.blob(sha, size!)) {
          expect(chunk.byteLength).toBeGreaterThan(0);
          break;
        }
        expectBytes(await readAll(await source.blob(sha, size!)), LARGE);
      });
    });

    describe('archive', () => {
      it('yields exactly the regular files, with their bytes, sizes and executable flags', async () => {
        const source = openStandard();
        const { entries } = await source.tree(standard.commitSha);
        const files = await collect(source.archive(standard.commitSha, expectedOf(entries)));
        const regular = STANDARD_FILES.filter((file) => file.symlinkTo === undefined);
        expect(files.map((file) => file.path).sort()).toEqual(regular.map((file) => file.path).sort());
        const got = new Map(files.map((file) => [file.path, file]));
        for (const file of regular) {
          const archived = got.get(file.path)!;
          expect(archived.executable, file.path).toBe(file.executable === true);
          expect(archived.size, file.path).toBe(bytesOf(file.content).byteLength);
          expectBytes(archived.content, bytesOf(file.content));
        }
      });

      it('yields only the files the caller expects', async () => {
        const source = openStandard();
        const entry = byPath((await source.tree(standard.commitSha)).entries);
        const expected = new Map(['README.md', 'scripts/a/b/deep.ps1'].map((path) => [path, entry.get(path)!.sha]));
        const files = await collect(source.archive(standard.commitSha, expected));
        expect(files.map((file) => file.path).sort()).toEqual(['README.md', 'scripts/a/b/deep.ps1']);
      });

      it('fails an entry that is not the expected blob with ArchiveMismatch after its bytes, and goes on', async () => {
        const source = openStandard();
        const { entries } = await source.tree(standard.commitSha);
        const expected = expectedOf(entries);
        const otherBlob = gitBlobSha(bytesOf('something else'));
        expected.set('big/large.bin', otherBlob);
        const outcomes = new Map<string, unknown>();
        for await (const file of source.archive(standard.commitSha, expected)) {
          let received = 0;
          const outcome = await (async () => {
            for await (const chunk of file.content) received += chunk.byteLength;
            return 'ended';
          })().catch((error: unknown) => error);
          outcomes.set(file.path, outcome);
          if (outcome instanceof ArchiveMismatch) expect(received).toBe(LARGE.byteLength); // found at the end
        }
        const mismatch = outcomes.get('big/large.bin');
        expect(mismatch).toBeInstanceOf(ArchiveMismatch);
        expect(mismatch).toMatchObject({
          path: 'big/large.bin',
          expectedSha: otherBlob,
          actualSha: expectedBlob(STANDARD_FILES[8]!).sha,
          retryable: false,
        });
        expect([...outcomes.entries()].filter(([, outcome]) => outcome !== 'ended').map(([path]) => path)).toEqual([
          'big/large.bin',
        ]);
        expect(outcomes.size).toBe(STANDARD_FILES.length - 1);
      });

      it('skips what the caller left unread, whole or in part', async () => {
        const source = openStandard();
        const { entries } = await source.tree(standard.commitSha);
        const seen = new Map<string, Uint8Array>();
        let index = 0;
        for await (const file of source.archive(standard.commitSha, expectedOf(entries))) {
          index += 1;
          if (index % 3 === 1) continue; // not read at all
          if (index % 3 === 2) {
            for await (const chunk of file.content) {
              expect(chunk.byteLength).toBeGreaterThan(0);
              break; // read in part
            }
            continue;
          }
          seen.set(file.path, await readAll(file.content));
        }
        expect(index).toBe(STANDARD_FILES.length - 1);
        expect(seen.size).toBeGreaterThan(0);
        for (const [path, content] of seen)
          expectBytes(content, bytesOf(STANDARD_FILES.find((file) => file.path === path)!.content));
      });

      it('can be abandoned part-way and read again', async () => {
        const source = openStandard();
        const expected = expectedOf((await source.tree(standard.commitSha)).entries);
        for await (const file of source.archive(standard.commitSha, expected)) {
          expect(file.path).not.toBe('');
          break;
        }
        expect((await collect(source.archive(standard.commitSha, expected))).length).toBe(STANDARD_FILES.length - 1);
      });
    });

    describe('failures', () => {
      it('answers Unauthorized, not retryable, once the token is revoked', async () => {
        const published = await fixture.publish([{ path: 'a.txt', content: 'a' }]);
        const source = fixture.factory.open({ repository: published.repository, token: published.token });
        expect(await source.branchHead('main')).toBe(published.commitSha);
        await fixture.revoke(published.token);
        const error = await expectSourceError(source.branchHead('main'), 'Unauthorized');
        expect(error.retryable).toBe(false);
        expect(error.message).not.toContain(published.token);
        await expectSourceError(source.tree(published.commitSha), 'Unauthorized');
        await expectSourceError(collect(source.archive(published.commitSha, new Map())), 'Unauthorized');
      });

      it('answers NotFound, not retryable, for a repository that does not exist', async () => {
        const source = fixture.factory.open({ repository: 'nobody-here/no-such-repository', token: standard.token });
        const error = await expectSourceError(source.branchHead('main'), 'NotFound');
        expect(error.retryable).toBe(false);
        await expectSourceError(source.tree(standard.commitSha), 'NotFound');
        await expectSourceError(source.blob(gitBlobSha(bytesOf('# scripts\n')), 10), 'NotFound');
      });
    });

    describe('requestCount', () => {
      it('counts one request per call: head, tree, each blob, archive', async () => {
        const source = openStandard();
        expect(source.requestCount).toBe(0);
        const head = await source.branchHead('main');
        expect(source.requestCount).toBe(1);
        const { entries } = await source.tree(head!);
        expect(source.requestCount).toBe(2);
        const blobs = entries.filter((entry) => entry.type === 'blob').slice(0, 3);
        for (const entry of blobs) await readAll(await source.blob(entry.sha, entry.size!));
        expect(source.requestCount).toBe(2 + blobs.length);
        await collect(source.archive(head!, expectedOf(entries)));
        expect(source.requestCount).toBe(3 + blobs.length);
        // Counts belong to one repository object, not to the shared client.
        expect(openStandard().requestCount).toBe(0);
      });
    });
  });
}
