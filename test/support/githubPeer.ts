import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ArchiveBody, ArchiveCache, madeOnRequest } from './github-peer/archiveCache';
import type { PeerFault, TerminalFault } from './github-peer/faults';
import { FaultQueue } from './github-peer/faults';
import { GitObjectStore, isSafeRefName } from './github-peer/gitObjectStore';
import { RateLimits, rateLimitHeaders } from './github-peer/rateLimits';
import type { RateBucketView, RepoView, StoredHook } from './github-peer/representations';
import * as shapes from './github-peer/representations';
import type { TreeJsonBody } from './github-peer/treeJson';
import { TreeJsonRenderer } from './github-peer/treeJson';
import type { GitRepo } from './gitRepo';

export type { PeerFault } from './github-peer/faults';

export interface PeerRepoOptions {
  /** When set, only this token sees the repository (others get 404, as for a private repo). */
  token?: string;
  private?: boolean;
  /** What the caller may do; default full access. Hooks need `admin`. */
  permissions?: { admin: boolean; push: boolean; pull: boolean };
  /** Default `main`. */
  defaultBranch?: string;
  /**
   * Answer a tarball request with the archive itself instead of a redirect to codeload, as a
   * GitHub-compatible server may. Default off: GitHub and GHES always redirect.
   */
  archiveAnswered?: boolean;
}

export interface GitHubPeerOptions {
  /** Recursive trees with more entries come back truncated. Default 100,000 (GitHub's limit). */
  treeEntryLimit?: number;
  /** Recursive trees whose entries' JSON is longer come back truncated. Default 7 MB (GitHub's limit). */
  treeByteLimit?: number;
  /** Primary rate limit per token and hour. Default 5,000 (a personal access token). */
  rateLimit?: number;
  /**
   * Serve an archive made once from a cache, as codeload does (see ArchiveCache). Default off:
   * every download then runs `git archive`, which tests that cut or fail downloads rely on.
   */
  archiveCache?: boolean;
}

export interface PeerRequestRecord {
  readonly method: string;
  /** Decoded path without the query, e.g. `/repos/o/r/git/ref/heads/main`. */
  readonly path: string;
  /** Query string including `?`, or empty. */
  readonly query: string;
  readonly status: number;
}

/** One webhook delivery the peer made, as a repository's "Recent Deliveries" list shows it. */
export interface PeerHookDelivery {
  readonly hookId: number;
  readonly event: string;
  /** `X-GitHub-Delivery`. */
  readonly guid: string;
  /** The receiver's HTTP status, or null when no answer came (unreachable, timed out, not loopback). */
  readonly statusCode: number | null;
  /** The receiver's answer, or why there was none. */
  readonly response: string;
}

interface PeerRepo {
  readonly owner: string;
  readonly name: string;
  readonly store: GitObjectStore;
  readonly options: PeerRepoOptions;
  readonly id: number;
  readonly createdAt: string;
  readonly hooks: StoredHook[];
  readonly deliveries: PeerHookDelivery[];
}

interface TokenRecord {
  readonly login: string;
  readonly scopes: readonly string[] | undefined;
  revoked: boolean;
}

type Caller =
  | { readonly kind: 'anonymous'; readonly key: string }
  | { readonly kind: 'token'; readonly key: string; readonly token: string; readonly record: TokenRecord };

/** What a route answers; sent by one function that also applies reset faults. */
interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer;
  /** A body in pieces (cached tree JSON fragments), written without joining them first. */
  chunks?: TreeJsonBody;
  stream?: ArchiveBody;
}

const API_VERSION = '2022-11-28';
const MAX_REQUEST_BODY = 1024 * 1024;
const BLOB_API_LIMIT = 100 * 1024 * 1024;
const TREE_BODY_CACHE_SIZE = 16;
const RAW_MEDIA_TYPE = /application\/vnd\.github(\.v3)?\.raw/i;
const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
  504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl = shapes.DOCS,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const notFound = (docs?: string) => new HttpError(404, 'Not Found', docs);

/**
 * A GitHub-shaped REST server on loopback, answering the calls our GitHub adapter (through Octokit)
 * makes, from real git repositories. Behaviour follows GitHub's REST documentation: status codes,
 * media types, redirects to codeload for tarballs, 404 for what a caller may not see, rate-limit
 * headers on every API response. Faults (status codes, rate limits, resets, delays) can be queued.
 */
export class GitHubPeer {
  readonly url: string;
  private readonly repos = new Map<string, PeerRepo>();
  private readonly stores = new Map<string, GitObjectStore>();
  private readonly tokens = new Map<string, TokenRecord>();
  /** Short-lived archive tokens GitHub appends to codeload URLs of private repositories. */
  private readonly codeloadTokens = new Map<string, string>();
  private readonly faults = new FaultQueue();
  private readonly rateLimits: RateLimits;
  private readonly log: PeerRequestRecord[] = [];
  /** Old full name (lower case) -> id of the repository that carried it before a rename. */
  private readonly renamed = new Map<string, number>();
  /** Public origin -> loopback origin that serves it, for webhook deliveries. */
  private readonly receivers = new Map<string, string>();
  private treeEntryLimit: number;
  private treeByteLimit: number;
  private nextHookId = 400_000_001;
  private readonly treeBodies = new Map<string, TreeJsonBody>();
  private readonly treeJson = new TreeJsonRenderer();
  private readonly archiveCache: ArchiveCache | undefined;
  private madeArchives = 0;

  private constructor(
    private readonly server: Server,
    options: GitHubPeerOptions,
  ) {
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
    this.treeEntryLimit = options.treeEntryLimit ?? 100_000;
    this.treeByteLimit = options.treeByteLimit ?? 7 * 1024 * 1024;
    this.rateLimits = new RateLimits(options.rateLimit ?? 5_000, 60);
    this.archiveCache = options.archiveCache ? new ArchiveCache() : undefined;
  }

  static async start(options: GitHubPeerOptions = {}): Promise<GitHubPeer> {
    let peer: GitHubPeer | null = null;
    const server = createServer((req, res) => {
      if (!peer) return void res.destroy();
      peer.handle(req, res).catch(() => res.destroy());
    });
    // Bulk blob fetching opens many parallel connections; let them queue instead of failing.
    server.maxConnections = 1024;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    peer = new GitHubPeer(server, options);
    return peer;
  }

  get requests(): ReadonlyArray<PeerRequestRecord> {
    return this.log;
  }

  /** How many archives codeload has made with `git archive` (a cached one is not made again). */
  get archivesMade(): number {
    return this.madeArchives;
  }

  resetRequests(): void {
    this.log.length = 0;
  }

  /** Serves `repo` (a GitRepo, or the path of a work tree or bare repository) as `owner/name`. */
  addRepository(fullName: string, repo: GitRepo | string, options: PeerRepoOptions = {}): void {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length > 0) throw new Error(`expected owner/name, got ${fullName}`);
    const dir = typeof repo === 'string' ? repo : repo.dir;
    let store = this.stores.get(dir);
    if (!store) {
      store = new GitObjectStore(dir);
      this.stores.set(dir, store);
    }
    if (options.token !== undefined && !this.tokens.has(options.token)) this.addToken(options.token);
    this.repos.set(fullName.toLowerCase(), {
      owner,
      name,
      store,
      options: { ...options },
      id: this.newRepositoryId(fullName),
      createdAt: shapes.isoSeconds(new Date()),
      hooks: [],
      deliveries: [],
    });
  }

  /** Stable per name, but never one another repository has had: a name taken over after a rename is a new repository. */
  private newRepositoryId(fullName: string): number {
    const taken = new Set([...[...this.repos.values()].map((repo) => repo.id), ...this.renamed.values()]);
    const existing = this.repos.get(fullName.toLowerCase());
    if (existing) taken.delete(existing.id); // serving the same name again keeps its id
    let id = shapes.stableId(`repo:${fullName.toLowerCase()}`);
    for (let n = 2; taken.has(id); n++) id = shapes.stableId(`repo:${fullName.toLowerCase()}:${n}`);
    return id;
  }

  /** GitHub's numeric id of a repository the peer serves (what payloads carry as `repository.id`). */
  repositoryId(fullName: string): number | undefined {
    return this.repos.get(fullName.toLowerCase())?.id;
  }

  /**
   * Renames (or transfers) a repository as GitHub does: the id, contents, access and hooks stay, and
   * API requests to the old name are redirected (301) to `/repositories/{id}/...`.
   */
  renameRepository(fullName: string, newFullName: string): void {
    const repo = this.repos.get(fullName.toLowerCase());
    const [owner, name, ...rest] = newFullName.split('/');
    if (!repo) throw new Error(`no repository ${fullName}`);
    if (!owner || !name || rest.length > 0) throw new Error(`expected owner/name, got ${newFullName}`);
    this.repos.delete(fullName.toLowerCase());
    this.repos.set(newFullName.toLowerCase(), { ...repo, owner, name });
    this.renamed.set(fullName.toLowerCase(), repo.id);
  }

  /** Accepts `token` (as `Authorization: token X` or `Bearer X`); scopes go to `x-oauth-scopes`. */
  addToken(token: string, scopes?: string[]): void {
    this.tokens.set(token, {
      login: `peer-user-${this.tokens.size + 1}`,
      scopes: scopes ? [...scopes] : undefined,
      revoked: false,
    });
  }

  /** From now on the token gets 401 Bad credentials everywhere. */
  revokeToken(token: string): void {
    const record = this.tokens.get(token);
    if (record) record.revoked = true;
    else this.tokens.set(token, { login: 'revoked', scopes: undefined, revoked: true });
  }

  setTreeEntryLimit(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`tree entry limit must be a non-negative integer, got ${n}`);
    this.treeEntryLimit = n;
  }

  setTreeByteLimit(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`tree byte limit must be a non-negative integer, got ${n}`);
    this.treeByteLimit = n;
  }

  injectFault(fault: PeerFault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** How many more requests queued faults will meet (0: none left to apply). */
  pendingFaults(): number {
    return this.faults.pending();
  }

  /** Webhooks created on a repository through the API (for tests of the connect flow). */
  webhooks(fullName: string): ReadonlyArray<StoredHook> {
    return this.repos.get(fullName.toLowerCase())?.hooks ?? [];
  }

  /**
   * Webhook deliveries to `publicOrigin` (e.g. https://sync.example.com) go to `localOrigin`, as DNS
   * and a reverse proxy in front of the service would route them. Other non-loopback receivers are
   * never called.
   */
  routeDeliveries(publicOrigin: string, localOrigin: string): void {
    this.receivers.set(new URL(publicOrigin).origin, new URL(localOrigin).origin);
  }

  /** Webhook deliveries the peer made for a repository's hooks, oldest first. */
  hookDeliveries(fullName: string): ReadonlyArray<PeerHookDelivery> {
    return this.repos.get(fullName.toLowerCase())?.deliveries ?? [];
  }

  async stop(): Promise<void> {
    for (const store of this.stores.values()) store.close();
    this.archiveCache?.dispose();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const parsed = new URL(target, this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    let segments: string[];
    try {
      segments = parsed.pathname
        .split('/')
        .slice(1)
        .map((s) => decodeURIComponent(s));
    } catch {
      segments = ['%'];
    }
    if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
    const record = { method, path: `/${segments.join('/')}`, query: parsed.search };
    const id = requestId();

    const plan = this.faults.take([`${parsed.pathname}${parsed.search}`, `${record.path}${record.query}`]);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed) return;

    const isCodeload = segments[0] === '_codeload';
    const caller = this.authenticate(req);
    // Rejected credentials are reported against the caller's address, as GitHub does.
    let rate: RateBucketView = caller
      ? this.rateLimits.peek(caller.key, caller.kind === 'anonymous')
      : this.rateLimits.peek(anonymousKey(req), true);
    let reply: Reply;
    if (plan.terminal && plan.terminal.kind !== 'reset') {
      reply = this.faultReply(plan.terminal, rate, id);
    } else {
      try {
        if (isCodeload) {
          reply = await this.codeload(segments, parsed.searchParams);
        } else if (caller === null) {
          throw new HttpError(401, 'Bad credentials');
        } else {
          const anonymous = caller.kind === 'anonymous';
          // GET /rate_limit is free on GitHub; everything else spends one call.
          const isRateLimitCall = segments.length === 1 && segments[0] === 'rate_limit';
          const spent = isRateLimitCall
            ? this.rateLimits.peek(caller.key, anonymous)
            : this.rateLimits.spend(caller.key, anonymous);
          if (spent === null) {
            rate = this.rateLimits.peek(caller.key, anonymous);
            throw new HttpError(
              403,
              `API rate limit exceeded for ${anonymous ? 'this IP' : `user ${caller.record.login}`}.`,
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            );
          }
          rate = spent;
          reply = await this.route(method, segments, req, caller, parsed.searchParams, rate);
        }
      } catch (error) {
        reply = errorReply(error);
      }
    }

    const headers: Record<string, string> = { 'x-github-request-id': id };
    // Codeload is another host: no API headers there.
    if (!isCodeload) {
      Object.assign(headers, rateLimitHeaders(rate));
      headers['x-github-api-version-selected'] = API_VERSION;
      headers['x-github-media-type'] = 'github.v3; format=json';
      if (caller?.kind === 'token' && caller.record.scopes) {
        headers['x-oauth-scopes'] = caller.record.scopes.join(', ');
        headers['x-accepted-oauth-scopes'] = '';
      }
    }
    Object.assign(headers, reply.headers);
    this.send(res, reply, headers, record, plan.terminal?.kind === 'reset');
  }

  private send(
    res: ServerResponse,
    reply: Reply,
    headers: Record<string, string>,
    record: Omit<PeerRequestRecord, 'status'>,
    reset: boolean,
  ): void {
    let body = reply.body;
    if (reply.json !== undefined) {
      body = Buffer.from(JSON.stringify(reply.json), 'utf8');
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    // A reset cuts the body in half: simplest on one buffer, and resets are rare.
    if (reply.chunks && reset) body = Buffer.concat(reply.chunks.chunks, reply.chunks.length);
    if (reply.chunks && !reset) headers['content-length'] = String(reply.chunks.length);
    else if (body) headers['content-length'] = String(body.length);
    else if (!reply.stream) headers['content-length'] = '0';
    // Logged before the first byte leaves, so a client that saw the answer also sees the record.
    this.log.push({ ...record, status: reply.status });
    res.writeHead(reply.status, headers);

    if (reply.stream) {
      const { readable, abort } = reply.stream;
      res.on('close', () => {
        if (!res.writableFinished) abort();
      });
      if (reset) {
        let cut = false;
        readable.once('data', (chunk: Buffer) => {
          cut = true;
          abort();
          res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => res.destroy());
        });
        readable.once('end', () => {
          if (!cut) res.destroy();
        });
        return;
      }
      readable.once('error', () => res.destroy()); // a body that fails midway cuts the connection
      readable.pipe(res);
      return;
    }
    if (reset) {
      if (!body || body.length === 0) {
        res.flushHeaders();
        setImmediate(() => res.destroy());
        return;
      }
      res.write(body.subarray(0, Math.max(1, body.length >> 1)), () => res.destroy());
      return;
    }
    if (reply.chunks) {
      // Corked, so the pieces leave in as few writes as the socket takes.
      res.cork();
      for (const chunk of reply.chunks.chunks) res.write(chunk);
      res.end();
      return;
    }
    res.end(body);
  }

  private faultReply(fault: TerminalFault, rate: RateBucketView, id: string): Reply {
    if (fault.kind === 'status') {
      const json = fault.body ?? shapes.errorBody(fault.status, STATUS_MESSAGES[fault.status] ?? 'Error');
      return { status: fault.status, json };
    }
    // The reset kind never reaches here: it is applied while sending the genuine answer.
    const retryAfter = fault.kind === 'rate-limit' ? fault.retryAfterSeconds : 0;
    if (fault.kind === 'rate-limit' && fault.secondary) {
      return {
        status: 403,
        headers: { 'retry-after': String(retryAfter) },
        json: shapes.errorBody(
          403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${id}.`,
          'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        ),
      };
    }
    const limit = rate.limit;
    const reset = Math.floor(Date.now() / 1000) + retryAfter;
    return {
      status: 429,
      headers: {
        'retry-after': String(retryAfter),
        ...rateLimitHeaders({ limit, remaining: 0, reset, used: limit }),
      },
      json: shapes.errorBody(
        429,
        'API rate limit exceeded. Please wait before retrying.',
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      ),
    };
  }

  /** null = credentials that GitHub rejects with 401 (unknown, revoked, malformed). */
  private authenticate(req: IncomingMessage): Caller | null {
    const header = req.headers.authorization;
    if (!header) return { kind: 'anonymous', key: anonymousKey(req) };
    const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
    if (!match) return null;
    const token = match[2]!;
    const record = this.tokens.get(token);
    if (!record || record.revoked) return null;
    return { kind: 'token', key: `token:${token}`, token, record };
  }

  private async route(
    method: string,
    s: string[],
    req: IncomingMessage,
    caller: Caller,
    query: URLSearchParams,
    rate: RateBucketView,
  ): Promise<Reply> {
    if (s.length === 1 && s[0] === 'rate_limit' && method === 'GET')
      return { status: 200, json: shapes.rateLimitOverview(rate) };
    if (s.length === 1 && s[0] === 'user' && method === 'GET') {
      if (caller.kind === 'anonymous')
        throw new HttpError(
          401,
          'Requires authentication',
          'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        );
      return { status: 200, json: shapes.privateUser(this.url, caller.record.login, '2020-01-01T00:00:00Z') };
    }
    if (s[0] === 'repositories' && s.length >= 2) {
      // Where GitHub redirects requests for a renamed repository: the same routes, by id.
      const byId = [...this.repos.values()].find((candidate) => String(candidate.id) === s[1]);
      if (!byId) throw notFound();
      s = ['repos', byId.owner, byId.name, ...s.slice(2)];
    }
    if (s[0] !== 'repos' || s.length < 3) throw notFound();
    const movedId = this.repos.has(`${s[1]}/${s[2]}`.toLowerCase())
      ? undefined
      : this.renamed.get(`${s[1]}/${s[2]}`.toLowerCase());
    if (movedId !== undefined) {
      const location = `${this.url}/repositories/${movedId}${s.length > 3 ? `/${s.slice(3).map(encodeURIComponent).join('/')}` : ''}${query.size > 0 ? `?${query}` : ''}`;
      return {
        status: 301,
        headers: { location },
        json: {
          message: 'Moved Permanently',
          url: location,
          documentation_url: 'https://docs.github.com/v3/#http-redirects',
        },
      };
    }
    const repo = this.visibleRepo(`${s[1]}/${s[2]}`, caller);
    const view = this.view(repo, caller);
    const rest = s.slice(3);
    const [first, second] = rest;

    if (method === 'GET') {
      if (rest.length === 0) return this.getRepository(repo, view);
      if (first === 'branches' && rest.length >= 2) return this.getBranch(repo, view, rest.slice(1).join('/'));
      if (first === 'git' && second === 'ref' && rest.length >= 3)
        return this.getRef(repo, view, rest.slice(2).join('/'));
      if (first === 'commits' && rest.length >= 2) return this.getCommit(repo, view, rest.slice(1).join('/'));
      if (first === 'git' && second === 'trees' && rest.length >= 3)
        return this.getTree(repo, view, rest.slice(2).join('/'), query.has('recursive'));
      if (first === 'git' && second === 'blobs' && rest.length === 3)
        return this.getBlob(repo, view, rest[2]!, req.headers.accept ?? '');
      if (first === 'tarball') return this.getTarball(repo, rest.slice(1).join('/'));
      if (first === 'hooks' && rest.length === 1) return this.listHooks(repo, view);
      if (first === 'hooks' && rest.length === 2)
        return { status: 200, json: shapes.hook(view, this.findHook(repo, view, second!)) };
    }
    if (method === 'POST' && first === 'hooks' && rest.length === 1) return this.createHook(repo, view, req, caller);
    if (method === 'PATCH' && first === 'hooks' && rest.length === 2) return this.updateHook(repo, view, second!, req);
    if (method === 'DELETE' && first === 'hooks' && rest.length === 2) {
      const hook = this.findHook(repo, view, second!);
      repo.hooks.splice(repo.hooks.indexOf(hook), 1);
      return { status: 204 };
    }
    throw notFound();
  }

  private visibleRepo(fullName: string, caller: Caller): PeerRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw notFound('https://docs.github.com/rest/repos/repos#get-a-repository');
    const { token, private: isPrivate } = repo.options;
    const visible =
      token !== undefined ? caller.kind === 'token' && caller.token === token : !isPrivate || caller.kind === 'token';
    // GitHub hides what a caller may not see behind the same 404 as what does not exist.
    if (!visible) throw notFound('https://docs.github.com/rest/repos/repos#get-a-repository');
    return repo;
  }

  private view(repo: PeerRepo, caller: Caller): RepoView {
    return {
      api: this.url,
      owner: repo.owner,
      name: repo.name,
      id: repo.id,
      private: repo.options.private ?? false,
      defaultBranch: repo.options.defaultBranch ?? 'main',
      createdAt: repo.createdAt,
      permissions:
        caller.kind === 'token' ? (repo.options.permissions ?? { admin: true, push: true, pull: true }) : null,
    };
  }

  private async getRepository(repo: PeerRepo, view: RepoView): Promise<Reply> {
    const head = await repo.store.branchHead(view.defaultBranch);
    const commit = head ? await repo.store.commit(head) : null;
    return { status: 200, json: shapes.fullRepository(view, commit?.committer.date ?? view.createdAt) };
  }

  private async getBranch(repo: PeerRepo, view: RepoView, branch: string): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/branches/branches#get-a-branch';
    const head = await repo.store.branchHead(branch);
    const commit = head ? await repo.store.commit(head) : null;
    if (!commit) throw new HttpError(404, 'Branch not found', docs);
    return { status: 200, json: shapes.branchWithProtection(view, branch, commit) };
  }

  private async getRef(repo: PeerRepo, view: RepoView, ref: string): Promise<Reply> {
    const fullRef = `refs/${ref}`;
    const object = await repo.store.ref(fullRef);
    if (!object) throw notFound('https://docs.github.com/rest/git/refs#get-a-reference');
    return { status: 200, json: shapes.gitRef(view, fullRef, object.sha, object.type) };
  }

  private async getCommit(repo: PeerRepo, view: RepoView, ref: string): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/commits/commits#get-a-commit';
    const sha = await repo.store.commitish(ref);
    const commit = sha ? await repo.store.commit(sha) : null;
    if (!commit) {
      throw isSafeRefName(ref) ? new HttpError(422, `No commit found for SHA: ${ref}`, docs) : notFound(docs);
    }
    return { status: 200, json: shapes.commitObject(view, commit) };
  }

  private async getTree(repo: PeerRepo, view: RepoView, ref: string, recursive: boolean): Promise<Reply> {
    const treeSha = await repo.store.treeish(ref);
    if (!treeSha) throw notFound('https://docs.github.com/rest/git/trees#get-a-tree');
    // Trees are immutable: keep the serialized answer, a 10,000-entry tree is 2 MB of JSON.
    const limits = { entries: this.treeEntryLimit, bytes: this.treeByteLimit };
    const key = `${view.owner}/${view.name}:${treeSha}:${recursive}:${limits.entries}:${limits.bytes}`.toLowerCase();
    let body = this.treeBodies.get(key);
    if (!body) {
      const nodes = await repo.store.treeNodes(treeSha, recursive);
      body = this.treeJson.render(view, treeSha, nodes, recursive, limits);
      this.treeBodies.set(key, body);
      if (this.treeBodies.size > TREE_BODY_CACHE_SIZE) this.treeBodies.delete(this.treeBodies.keys().next().value!);
    }
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, chunks: body };
  }

  private async getBlob(repo: PeerRepo, view: RepoView, sha: string, accept: string): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/git/blobs#get-a-blob';
    const object = await repo.store.blob(sha);
    if (!object) throw notFound(docs);
    if (object.size > BLOB_API_LIMIT) {
      throw new HttpError(
        403,
        'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API.',
        docs,
        {
          errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
        },
      );
    }
    if (RAW_MEDIA_TYPE.test(accept)) {
      return {
        status: 200,
        headers: { 'content-type': 'application/vnd.github.raw', 'x-github-media-type': 'github.raw; format=raw' },
        body: object.content,
      };
    }
    return { status: 200, json: shapes.blob(view, object.sha, object.content) };
  }

  private async getTarball(repo: PeerRepo, ref: string): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar';
    const sha = await repo.store.commitish(ref === '' ? (repo.options.defaultBranch ?? 'main') : ref);
    if (!sha) throw notFound(docs);
    if (repo.options.archiveAnswered) {
      return this.codeload(['_codeload', repo.owner, repo.name, 'legacy.tar.gz', sha], new URLSearchParams(), true);
    }
    let location = `${this.url}/_codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${sha}`;
    // Codeload is another host and takes no Authorization header: private archives carry a token.
    if (repo.options.private || repo.options.token !== undefined) {
      const token = randomBytes(20).toString('hex').toUpperCase();
      this.codeloadTokens.set(token, `${repo.owner}/${repo.name}`.toLowerCase());
      location += `?token=${token}`;
    }
    return { status: 302, headers: { location } };
  }

  /** Codeload's answer; `authorized` when the API answers for it (the caller's token was checked there). */
  private async codeload(s: string[], query: URLSearchParams, authorized = false): Promise<Reply> {
    if (s.length !== 5 || s[3] !== 'legacy.tar.gz') throw notFound();
    const key = `${s[1]}/${s[2]}`.toLowerCase();
    const repo = this.repos.get(key);
    if (!repo) throw notFound();
    if (!authorized && (repo.options.private || repo.options.token !== undefined)) {
      const token = query.get('token') ?? '';
      if (this.codeloadTokens.get(token) !== key) throw notFound();
    }
    const sha = await repo.store.commitish(s[4]!);
    if (!sha) throw notFound();
    const short = sha.slice(0, 7);
    const prefix = `${repo.owner}-${repo.name}-${short}/`;
    const make = () => {
      this.madeArchives += 1;
      return repo.store.archive(sha, prefix);
    };
    return {
      status: 200,
      headers: {
        'content-type': 'application/x-gzip',
        'content-disposition': `attachment; filename=${repo.owner}-${repo.name}-${short}.tar.gz`,
        etag: `"${sha}"`,
      },
      stream: this.archiveCache ? this.archiveCache.open(`${sha}-${prefix}`, make) : madeOnRequest(make()),
    };
  }

  private requireAdmin(view: RepoView): void {
    // Without admin rights GitHub answers 404 for a repository's hooks, not 403.
    if (!view.permissions?.admin) throw notFound('https://docs.github.com/rest/repos/webhooks');
  }

  private listHooks(repo: PeerRepo, view: RepoView): Reply {
    this.requireAdmin(view);
    return { status: 200, json: repo.hooks.map((hook) => shapes.hook(view, hook)) };
  }

  private findHook(repo: PeerRepo, view: RepoView, id: string): StoredHook {
    this.requireAdmin(view);
    const hook = repo.hooks.find((candidate) => String(candidate.id) === id);
    if (!hook) throw notFound('https://docs.github.com/rest/repos/webhooks#get-a-repository-webhook');
    return hook;
  }

  private async createHook(repo: PeerRepo, view: RepoView, req: IncomingMessage, caller: Caller): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/repos/webhooks#create-a-repository-webhook';
    this.requireAdmin(view);
    const input = await readJson(req);
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new HttpError(400, 'Problems parsing JSON', docs);
    const body = input as {
      name?: unknown;
      config?: { url?: unknown; content_type?: unknown; secret?: unknown; insecure_ssl?: unknown };
      events?: unknown;
      active?: unknown;
    };
    const url = body.config?.url;
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
      throw new HttpError(422, 'Validation Failed', docs, {
        errors: [{ resource: 'Hook', code: 'custom', message: 'Config must contain a valid url' }],
      });
    }
    if (body.name !== undefined && body.name !== 'web') {
      throw new HttpError(422, 'Validation Failed', docs, {
        errors: [{ resource: 'Hook', code: 'custom', field: 'name', message: 'Name must be web' }],
      });
    }
    const events =
      Array.isArray(body.events) && body.events.every((e) => typeof e === 'string')
        ? (body.events as string[])
        : ['push'];
    // "Each webhook should have a unique config. Multiple webhooks can share the same config as
    // long as those webhooks do not have any events that overlap."
    if (repo.hooks.some((hook) => hook.config.url === url && hook.events.some((event) => events.includes(event)))) {
      throw new HttpError(422, 'Validation Failed', docs, {
        errors: [{ resource: 'Hook', code: 'custom', message: 'Hook already exists on this repository' }],
      });
    }
    const now = shapes.isoSeconds(new Date());
    const insecure = body.config?.insecure_ssl;
    const hook: StoredHook = {
      id: this.nextHookId++,
      name: 'web',
      active: typeof body.active === 'boolean' ? body.active : true,
      events,
      config: {
        url,
        content_type: body.config?.content_type === 'json' ? 'json' : 'form',
        insecure_ssl: typeof insecure === 'number' ? String(insecure) : typeof insecure === 'string' ? insecure : '0',
        ...(typeof body.config?.secret === 'string' ? { secret: body.config.secret } : {}),
      },
      createdAt: now,
      updatedAt: now,
    };
    repo.hooks.push(hook);
    // "When you create a new webhook, we'll send you a simple ping event." GitHub does not wait for
    // the creator to get its answer first; delivering before answering is the order that shows
    // whether the receiver is ready for its hook as soon as the hook exists.
    if (hook.active) await this.deliverPing(repo, view, hook, caller);
    const json = shapes.hook(view, hook);
    return { status: 201, headers: { location: json.url }, json };
  }

  /**
   * Delivers a `ping` as GitHub does (headers, signatures, JSON or form body) and records the answer.
   * Only loopback receivers (directly or through `routeDeliveries`) are called: a test peer never
   * sends requests off the machine.
   */
  private async deliverPing(repo: PeerRepo, view: RepoView, hook: StoredHook, caller: Caller): Promise<void> {
    const guid = randomUUID();
    const sender = caller.kind === 'token' ? caller.record.login : 'ghost';
    const payload = JSON.stringify({
      zen: 'Design for failure.',
      hook_id: hook.id,
      hook: shapes.hook(view, hook),
      repository: shapes.fullRepository(view, view.createdAt),
      sender: shapes.simpleUser(this.url, sender),
    });
    const form = hook.config.content_type === 'form';
    const body = form ? new URLSearchParams({ payload }).toString() : payload;
    const headers: Record<string, string> = {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      'user-agent': `GitHub-Hookshot/${randomBytes(4).toString('hex').slice(0, 7)}`,
      'x-github-event': 'ping',
      'x-github-delivery': guid,
      'x-github-hook-id': String(hook.id),
      'x-github-hook-installation-target-id': String(repo.id),
      'x-github-hook-installation-target-type': 'repository',
    };
    const secret = hook.config.secret;
    if (secret) {
      headers['x-hub-signature'] = `sha1=${createHmac('sha1', secret).update(body, 'utf8').digest('hex')}`;
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
    }
    const record = (statusCode: number | null, response: string) =>
      repo.deliveries.push({ hookId: hook.id, event: 'ping', guid, statusCode, response });
    let target: URL;
    try {
      target = new URL(hook.config.url);
      const routed = this.receivers.get(target.origin);
      if (routed) target = new URL(`${target.pathname}${target.search}`, routed);
    } catch {
      return void record(null, 'invalid URL');
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
      return void record(null, 'not delivered: the peer only delivers to loopback receivers');
    try {
      // GitHub gives a receiver 10 seconds to answer.
      const answer = await fetch(target, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      record(answer.status, await answer.text());
    } catch (error) {
      record(null, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * PATCH replaces what it is given: `config` as a whole ("If you previously had a secret set, you
   * must provide the same secret or set a new secret or the secret will be removed"), `events`
   * (or `add_events`/`remove_events`), `active`.
   */
  private async updateHook(repo: PeerRepo, view: RepoView, id: string, req: IncomingMessage): Promise<Reply> {
    const docs = 'https://docs.github.com/rest/repos/webhooks#update-a-repository-webhook';
    const stored = this.findHook(repo, view, id);
    const input = await readJson(req);
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new HttpError(400, 'Problems parsing JSON', docs);
    const body = input as {
      config?: { url?: unknown; content_type?: unknown; secret?: unknown; insecure_ssl?: unknown };
      events?: unknown;
      add_events?: unknown;
      remove_events?: unknown;
      active?: unknown;
    };
    const strings = (value: unknown): string[] | undefined =>
      Array.isArray(value) && value.every((e) => typeof e === 'string') ? (value as string[]) : undefined;
    let config = stored.config;
    if (body.config !== undefined) {
      const url = body.config.url ?? stored.config.url;
      if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
        throw new HttpError(422, 'Validation Failed', docs, {
          errors: [{ resource: 'Hook', code: 'custom', message: 'Config must contain a valid url' }],
        });
      }
      const insecure = body.config.insecure_ssl;
      config = {
        url,
        content_type:
          body.config.content_type === 'json'
            ? 'json'
            : body.config.content_type === 'form'
              ? 'form'
              : stored.config.content_type,
        insecure_ssl:
          typeof insecure === 'number'
            ? String(insecure)
            : typeof insecure === 'string'
              ? insecure
              : stored.config.insecure_ssl,
        ...(typeof body.config.secret === 'string' ? { secret: body.config.secret } : {}),
      };
    }
    let events = strings(body.events) ?? [...stored.events];
    events = [...new Set([...events, ...(strings(body.add_events) ?? [])])].filter(
      (event) => !(strings(body.remove_events) ?? []).includes(event),
    );
    const hook: StoredHook = {
      ...stored,
      config,
      events,
      active: typeof body.active === 'boolean' ? body.active : stored.active,
      updatedAt: shapes.isoSeconds(new Date()),
    };
    repo.hooks[repo.hooks.indexOf(stored)] = hook;
    return { status: 200, json: shapes.hook(view, hook) };
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      json: shapes.errorBody(error.status, error.message, error.documentationUrl, error.extra),
    };
  }
  return { status: 500, json: shapes.errorBody(500, 'Server Error') };
}

function anonymousKey(req: IncomingMessage): string {
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** Same shape as GitHub's `x-github-request-id`, e.g. `C1A4:2B3F:1A2B3C:1D2E3F:65A1B2C3`. */
function requestId(): string {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}`;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY) throw new HttpError(413, 'Payload too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}
