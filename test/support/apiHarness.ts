import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalHost, startLocalHost } from '../../src/host/localHost';
import { IN_PROCESS_QUEUE } from '../../src/host/modules/queueModule';
import { GitHubPeer } from './githubPeer';
import { GitRepo } from './gitRepo';
import { answerBody, OpenApiValidator, type ResponseRecord } from './openApiValidator';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

export interface ApiCall {
  /** Bearer token; null sends no Authorization header. */
  readonly token: string | null;
  readonly json?: unknown;
  readonly body?: Uint8Array | string;
  readonly headers?: Record<string, string>;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, when the answer was JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read answers of every route ad hoc; the harness validates each answer against the OpenAPI document instead
  readonly json: any;
  readonly bytes: Buffer;
}

/**
 * The local host as `npm start` runs it, but with Entra ID validation against a local token issuer,
 * the GitHub peer, Azurite and a fresh workspace. Every answer is checked against the service's own
 * `/api/openapi.json`; mismatches collect in `violations` for the test to assert empty.
 */
export class ApiHarness {
  readonly violations: string[] = [];
  readonly githubToken = `ghp_api_${randomBytes(12).toString('hex')}`;
  private validator: OpenApiValidator | undefined;

  private constructor(
    readonly issuer: TokenIssuer,
    readonly peer: GitHubPeer,
    readonly host: LocalHost,
    readonly dir: string,
  ) {}

  /** `options.issuer` validates tokens of that issuer instead of a fresh one (e.g. an OpenID provider's); the harness stops it. */
  static async start(
    env: Record<string, string> = {},
    options: { readonly issuer?: TokenIssuer } = {},
  ): Promise<ApiHarness> {
    const dir = await mkdtemp(join(tmpdir(), 'wsync-api-'));
    const issuer = options.issuer ?? (await startTokenIssuer());
    const peer = await GitHubPeer.start({});
    try {
      const host = await startLocalHost({
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: join(dir, 'data'),
        WORKSPACE_ROOT: join(dir, 'workspace'),
        TABLES_PREFIX: `t${randomBytes(4).toString('hex')}`,
        GITHUB_API_URL: peer.url,
        GITHUB_RETRIES: '0',
        AUTH_MODE: 'entra',
        AUTH_AUDIENCE: issuer.audience,
        AUTH_ISSUER: issuer.issuer,
        AUTH_JWKS_URL: issuer.jwksUrl,
        // Required with Entra ID; webhook URLs registered on the peer point here (tests read their paths).
        PUBLIC_BASE_URL: 'https://workspace-sync.test',
        RECONCILE_ON_START: 'false',
        RECONCILE_INTERVAL_MINUTES: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        ...env,
      });
      const harness = new ApiHarness(issuer, peer, host, dir);
      // GitHub reaches the service at its public URL: route the peer's webhook deliveries there to this host.
      if (host.config.PUBLIC_BASE_URL) peer.routeDeliveries(host.config.PUBLIC_BASE_URL, host.server.url);
      harness.peer.addToken(harness.githubToken);
      return harness;
    } catch (error) {
      await Promise.allSettled([issuer.stop(), peer.stop()]);
      throw error;
    }
  }

  get url(): string {
    return this.host.server.url;
  }

  get workspaceRoot(): string {
    return this.host.config.workspaceRoot;
  }

  /** A repository served by the peer and readable with `githubToken`. */
  async repo(fullName: string, options: Parameters<GitHubPeer['addRepository']>[2] = {}): Promise<GitRepo> {
    const repo = await GitRepo.create();
    this.peer.addRepository(fullName, repo, { token: this.githubToken, ...options });
    return repo;
  }

  admin(): Promise<string> {
    return this.issuer.adminToken();
  }

  orgUser(orgs: string[], options: { editor?: boolean } = {}): Promise<string> {
    return this.issuer.orgUserToken(orgs, options);
  }

  /** Calls the API and checks the answer against the OpenAPI document. */
  async call(method: string, path: string, call: ApiCall): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...(call.headers ?? {}) };
    if (call.token !== null) headers.authorization = `Bearer ${call.token}`;
    let body: Uint8Array | string | undefined = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const bytes = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type');
    const answer = answerBody(contentType, bytes);
    await this.checkAgainstDocument({ method, path, status: response.status, contentType, body: answer });
    return {
      status: response.status,
      headers: response.headers,
      json: answer instanceof Buffer ? undefined : answer,
      bytes,
    };
  }

  /** Waits until the in-process worker has nothing in flight or due soon. */
  async idle(horizonMs = 2_000): Promise<void> {
    await this.host.container.get(IN_PROCESS_QUEUE).idle(horizonMs);
  }

  async stop(): Promise<void> {
    await this.host.stop();
    await Promise.allSettled([this.issuer.stop(), this.peer.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async checkAgainstDocument(record: ResponseRecord): Promise<void> {
    this.validator ??= await OpenApiValidator.fromService(this.url, { authorization: `Bearer ${await this.admin()}` });
    this.violations.push(...this.validator.check(record));
  }
}
