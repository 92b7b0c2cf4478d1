import { Readable } from 'node:stream';
import type { Logger } from '../../ports/Logger';
import {
  type ArchiveFile,
  type ExpectedBlobs,
  type KnownTree,
  type SourceBytes,
  SourceError,
  type SourceRepository,
  type SourceTree,
} from '../../ports/SourceRepository';
import { GitBlobHasher } from '../git/GitBlobHasher';
import { type GitHubClient, octokitLoaded } from './createGitHubClient';
import { downloadArchive } from './downloadArchive';
import { meteredFetch } from './meteredFetch';
import { readChangedTree } from './readChangedTree';
import { readCompleteTree } from './readCompleteTree';
import { readTarball } from './readTarball';
import { toSourceError } from './toSourceError';
import { normaliseSubPath, readTreeListing, type TreeListing } from './treeListing';

/** API redirects followed for an archive (a renamed repository answers with one). */
const MAX_API_REDIRECTS = 3;

export interface GitHubSourceRepositorySettings {
  readonly logger: Logger;
  /** Resumptions of a blob body broken mid-way (requests themselves are retried by the client). */
  readonly retries: number;
  readonly requestTimeoutMs: number | undefined;
  readonly treeConcurrency: number;
  /** The API's base URL and the user agent: the archive's download goes around the client (see `archive`). */
  readonly baseUrl: string;
  readonly userAgent: string;
}

/**
 * One repository read through the GitHub REST API with one token. Every method maps failures to
 * SourceError; `requestCount` counts the HTTP requests made through this object.
 */
export class GitHubSourceRepository implements SourceRepository {
  private requests = 0;
  private opened: GitHubClient | undefined;
  private readonly owner: string;
  private readonly repo: string;
  private readonly bufferedFetch: typeof fetch;
  private readonly streamedFetch: typeof fetch;
  private readonly log: Logger;

  constructor(
    /** The token's client, asked for once Octokit is loaded (see `send`). */
    private readonly client: () => GitHubClient,
    private readonly repository: string,
    private readonly token: string,
    private readonly settings: GitHubSourceRepositorySettings,
  ) {
    const [owner = '', repo = ''] = repository.split('/');
    this.owner = owner;
    this.repo = repo;
    const onRequest = (): void => {
      this.requests += 1;
    };
    this.bufferedFetch = meteredFetch({ bodyMode: 'buffered', timeoutMs: settings.requestTimeoutMs, onRequest });
    this.streamedFetch = meteredFetch({ bodyMode: 'streamed', timeoutMs: settings.requestTimeoutMs, onRequest });
    this.log = settings.logger.child({ repository });
  }

  get requestCount(): number {
    return this.requests;
  }

  /**
   * One request for an existing branch. GitHub answers 404 both for a missing ref and for a
   * repository that is missing or invisible to the token, so on 404 one more request asks for the
   * repository itself: a missing repository is NotFound (a sync must not mistake it for a deleted
   * branch), a present one means the branch does not exist.
   */
  async branchHead(branch: string): Promise<string | null> {
    const what = `reading branch '${branch}' of ${this.repository}`;
    const ref = branch.split('/').map(encodeURIComponent).join('/');
    try {
      const response = await this.send(what, (client) =>
        client.request(`GET /repos/{owner}/{repo}/git/ref/heads/${ref}`, {
          owner: this.owner,
          repo: this.repo,
          request: { fetch: this.bufferedFetch },
        }),
      );
      const object = (response.data as { object?: { sha?: unknown } } | undefined)?.object;
      if (typeof object?.sha !== 'string')
        throw new SourceError('Unavailable', `${what}: GitHub sent a ref without an object`);
      return object.sha;
    } catch (error) {
      if (!(error instanceof SourceError) || error.code !== 'NotFound') throw error;
      await this.send(`reading repository ${this.repository}`, (client) =>
        client.request('GET /repos/{owner}/{repo}', {
          owner: this.owner,
          repo: this.repo,
          request: { fetch: this.bufferedFetch },
        }),
      );
      return null;
    }
  }

  /**
   * One recursive listing; with `known`, only the folders that changed since (see readChangedTree),
   * falling back to the recursive listing when that would take too many requests.
   */
  async tree(commitSha: string, subPath?: string, known?: KnownTree): Promise<SourceTree> {
    const prefix = normaliseSubPath(subPath);
    const where = `${this.repository} at ${commitSha.slice(0, 7)}`;
    const list = async (treeSha: string, recursive: boolean, base: string): Promise<TreeListing> => {
      const what = `reading tree ${treeSha.slice(0, 7)} of ${this.repository}`;
      const response = await this.send(what, (client) =>
        client.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
          owner: this.owner,
          repo: this.repo,
          tree_sha: treeSha,
          ...(recursive ? { recursive: '1' } : {}),
          // Parsed here with the native JSON.parse: Octokit's BigInt-aware parser takes ~10x longer
          // on a 10,000-entry tree, and tree fields never hold big integers.
          request: { fetch: this.bufferedFetch, parseSuccessResponseBody: false },
        }),
      );
      const listing = readTreeListing(bytesOf(response.data, what), what, base);
      if (listing.truncated)
        this.log.info({ treeSha, recursive }, 'GitHub truncated a tree listing; walking sub-trees');
      return listing;
    };
    const concurrency = this.settings.treeConcurrency;
    const changed = known && (await readChangedTree(list, commitSha, prefix, where, known, concurrency));
    if (known && !changed) this.log.info({ commitSha }, 'too many folders changed to list them one by one');
    const { treeSha, entries } = changed || (await readCompleteTree(list, commitSha, prefix, where, concurrency));
    return { commitSha, ...(treeSha === undefined ? {} : { treeSha }), entries };
  }

  /**
   * Raw bytes, streamed and checked against the blob SHA and size as they pass, so a damaged
   * transfer can never pass as content. A transfer that breaks part-way is asked for again (up to
   * `retries` times) and continues after the bytes already handed out: Octokit's retries end when
   * the answer starts, and a blob is the same bytes every time.
   */
  async blob(sha: string, size: number): Promise<SourceBytes> {
    const what = `reading blob ${sha.slice(0, 7)} of ${this.repository}`;
    const first = await this.openBlob(sha, what);
    return this.blobBytes(sha, size, what, first);
  }

  private async *blobBytes(
    sha: string,
    size: number,
    what: string,
    first: AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    const hasher = new GitBlobHasher(size);
    let body = first;
    for (let resumed = 0; ; resumed++) {
      let skip = hasher.length; // a repeated request starts from the first byte again
      try {
        for await (const chunk of body) {
          let piece = chunk;
          if (skip > 0) {
            if (piece.byteLength <= skip) {
              skip -= piece.byteLength;
              continue;
            }
            piece = piece.subarray(skip);
            skip = 0;
          }
          if (!hasher.add(piece))
            throw new SourceError('Unavailable', `${what}: GitHub sent more than the blob's ${size} bytes`);
          yield piece;
        }
        break;
      } catch (error) {
        if (error instanceof SourceError || resumed >= this.settings.retries)
          throw toSourceError(error, what, this.token);
        this.log.info(
          { sha, received: hasher.length, size, attempt: resumed + 1 },
          'blob transfer broke; asking again and resuming',
        );
        body = await this.openBlob(sha, what);
      }
    }
    if (hasher.digest() !== sha.toLowerCase()) {
      throw new SourceError(
        'Unavailable',
        `${what}: the bytes received (${hasher.length} of ${size}) do not hash to the blob SHA`,
      );
    }
  }

  /** One blob request; the body comes back as a stream (never read whole here). */
  private async openBlob(sha: string, what: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.send(what, (client) =>
      client.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
        owner: this.owner,
        repo: this.repo,
        file_sha: sha,
        headers: { accept: 'application/vnd.github.raw+json' },
        // The raw body must reach us as bytes: Octokit would decode a text content type.
        request: { fetch: this.streamedFetch, parseSuccessResponseBody: false },
      }),
    );
    const body = response.data as unknown;
    if (body === null || body === undefined || body === '') return chunksOf([]);
    if (body instanceof Readable) return body;
    if (body instanceof ArrayBuffer) return chunksOf([new Uint8Array(body)]);
    if (body instanceof Uint8Array) return chunksOf([body]);
    throw new SourceError('Unavailable', `${what}: GitHub sent a body that is not bytes`);
  }

  /**
   * One API request, answered with a redirect to codeload, whose archive is then downloaded
   * around the client (see downloadArchive) and unpacked while it arrives (see readTarball).
   * Codeload takes no Authorization header (a private archive's URL carries its own token), so
   * none goes with it. A redirect to another API URL (a renamed repository) is asked through the
   * client again, with the token; an archive answered at once is unpacked from that answer.
   * Entries' bytes are checked against `expected`; a mismatch reaches the caller as
   * ArchiveMismatch, any other failure as a SourceError. Files already handed out cannot be taken
   * back, so a broken download is not retried here.
   */
  async *archive(commitSha: string, expected: ExpectedBlobs): AsyncGenerator<ArchiveFile> {
    const what = `downloading the archive of ${this.repository} at ${commitSha.slice(0, 7)}`;
    const mapFailure = (error: unknown) => toSourceError(error, what, this.token);
    const answer = await this.archiveAnswer(commitSha, what);
    try {
      const source =
        'url' in answer
          ? await downloadArchive(answer.url, {
              userAgent: this.settings.userAgent,
              timeoutMs: this.settings.requestTimeoutMs ?? 0,
            })
          : answer.body;
      // An entry's own failure comes out of its content; a mismatch as it is, the caller's to handle.
      yield* readTarball(source, expected, mapFailure);
    } catch (error) {
      throw mapFailure(error);
    }
  }

  /** Where the archive is: the URL GitHub redirects to, or the answer's own body. */
  private async archiveAnswer(
    commitSha: string,
    what: string,
  ): Promise<{ readonly url: string } | { readonly body: Readable }> {
    const request = { fetch: this.streamedFetch, parseSuccessResponseBody: false, redirect: 'manual' as const };
    let response: { status: number; headers: { location?: string }; data: unknown } = await this.send(what, (client) =>
      client.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
        owner: this.owner,
        repo: this.repo,
        ref: commitSha,
        request,
      }),
    );
    for (let hop = 0; ; hop++) {
      const body = response.data as unknown;
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || location === undefined) {
        if (body instanceof Readable) return { body };
        throw new SourceError('Unavailable', `${what}: GitHub sent no archive body`);
      }
      if (body instanceof Readable) body.destroy();
      const next = new URL(location, this.settings.baseUrl);
      if (!isApiRepositoryUrl(next, this.settings.baseUrl)) return { url: next.href };
      if (hop >= MAX_API_REDIRECTS) throw new SourceError('Unavailable', `${what}: GitHub redirected too often`);
      response = await this.send(what, (client) => client.request({ method: 'GET', url: next.href, request }));
    }
  }

  /** Runs one Octokit call (whose request hook already retried what is worth retrying) and maps its failure. */
  private async send<T>(what: string, call: (client: GitHubClient) => Promise<T>): Promise<T> {
    try {
      await octokitLoaded();
      this.opened ??= this.client();
      return await call(this.opened);
    } catch (error) {
      throw toSourceError(error, what, this.token);
    }
  }
}

/**
 * Whether `url` is a repository URL of the API at `baseUrl` (where GitHub redirects a renamed or
 * moved repository's calls), which needs the token; codeload's URLs are not, wherever it is hosted.
 */
function isApiRepositoryUrl(url: URL, baseUrl: string): boolean {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  return (
    url.origin === base.origin &&
    url.pathname.startsWith(`${basePath}/`) &&
    /^\/(repos|repositories)\//.test(url.pathname.slice(basePath.length))
  );
}

/** The body's bytes, as the buffered fetch hands them over (not copied). */
function bytesOf(body: unknown, what: string): Uint8Array {
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof Uint8Array) return body;
  throw new SourceError('Unavailable', `${what}: GitHub sent a body that is not bytes`);
}

async function* chunksOf(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}
