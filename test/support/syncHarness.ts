import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { TableMetadataRepo } from '../../src/adapters/azure-tables/TableMetadataRepo';
import { type Scope, scopeFolder } from '../../src/domain/shared/Scope';
import type { SyncRun } from '../../src/domain/sync/SyncRun';
import { type LocalHost, startLocalHost } from '../../src/host/localHost';
import { IN_PROCESS_QUEUE } from '../../src/host/modules/queueModule';
import { diffSnapshots, mirrorableView, snapshotFolder } from './folderSnapshot';
import { GitHubPeer } from './githubPeer';
import { GitRepo } from './gitRepo';
import { answerBody, OpenApiValidator } from './openApiValidator';
import { ServiceBusPeer } from './serviceBusPeer';

export const SYNC_QUEUE = 'workspace-sync';

export interface HarnessConnection {
  readonly scope: string;
  readonly repository: string;
  readonly branch?: string;
  readonly subPath?: string;
}

/**
 * Everything an end-to-end sync test needs, all real and on loopback: Azurite (Tables), the
 * GitHub-shaped peer over real git repositories, and the local host (HTTP + in-process worker)
 * configured through environment variables exactly as `npm start` is.
 */
export class SyncHarness {
  private constructor(
    readonly azurite: Awaited<ReturnType<typeof EmbeddedAzurite.start>>,
    readonly peer: GitHubPeer,
    readonly workspaceRoot: string,
    readonly token: string,
    readonly webhookSecret: string,
    readonly tablePrefix: string,
    /** Set when the harness runs the queue on Service Bus (the AMQP test peer). */
    readonly serviceBus: ServiceBusPeer | undefined,
  ) {}

  host: LocalHost | undefined;
  readonly repos = new Map<string, GitRepo>();
  /** Answers that did not match the service's /api/openapi.json; `dispose` fails when there are any. */
  readonly violations: string[] = [];
  private validator: OpenApiValidator | undefined;
  private connections: HarnessConnection[] = [];

  static async create(
    options: { treeEntryLimit?: number; queue?: 'in-process' | 'service-bus'; lockDurationMs?: number } = {},
  ): Promise<SyncHarness> {
    const azurite = await EmbeddedAzurite.start({});
    const serviceBus =
      options.queue === 'service-bus'
        ? await ServiceBusPeer.start({
            queues: {
              [SYNC_QUEUE]: {
                lockDurationMs: options.lockDurationMs ?? 5_000,
                maxDeliveryCount: 3,
                duplicateDetectionWindowMs: 600_000,
              },
            },
          })
        : undefined;
    const peer = await GitHubPeer.start(
      options.treeEntryLimit === undefined ? {} : { treeEntryLimit: options.treeEntryLimit },
    );
    const token = `ghp_test_${randomBytes(12).toString('hex')}`;
    peer.addToken(token);
    const workspaceRoot = await mkdtemp(join(tmpdir(), 'wsync-workspace-'));
    const prefix = `t${randomBytes(4).toString('hex')}`;
    return new SyncHarness(azurite, peer, workspaceRoot, token, randomBytes(32).toString('hex'), prefix, serviceBus);
  }

  /** A new repository served by the peer as `fullName`. */
  async repo(fullName: string): Promise<GitRepo> {
    const repo = await GitRepo.create();
    this.peer.addRepository(fullName, repo, { token: this.token });
    this.repos.set(fullName, repo);
    return repo;
  }

  /** The environment `npm start` would be given for these connections. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      HOST: '127.0.0.1',
      PORT: '0',
      WORKSPACE_ROOT: this.workspaceRoot,
      DATA_DIR: join(this.workspaceRoot, '..', `${this.tablePrefix}-data`),
      TABLES_CONNECTION_STRING: this.azurite.connectionString,
      TABLES_PREFIX: this.tablePrefix,
      GITHUB_API_URL: this.peer.url,
      SECRET_STORE: 'env',
      GITHUB_TOKEN: this.token,
      WEBHOOK_SECRET: this.webhookSecret,
      CONNECTIONS: JSON.stringify(
        this.connections.map((connection) => ({
          scope: connection.scope,
          repository: connection.repository,
          branch: connection.branch ?? 'main',
          subPath: connection.subPath ?? '',
          tokenRef: 'GITHUB_TOKEN',
          webhookSecretRef: 'WEBHOOK_SECRET',
        })),
      ),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RECONCILE_ON_START: 'false',
      QUEUE_RETRY_BASE_MS: '50',
      QUEUE_MAX_DELIVERY_COUNT: '3',
      GITHUB_RETRIES: '1',
      ...(this.serviceBus
        ? {
            COMMAND_QUEUE: 'service-bus',
            ServiceBusConnection: this.serviceBus.connectionString,
            SYNC_QUEUE_NAME: SYNC_QUEUE,
          }
        : {}),
      ...extra,
    };
  }

  async start(connections: HarnessConnection[], extraEnv: Record<string, string> = {}): Promise<LocalHost> {
    this.connections = connections;
    this.host = await startLocalHost(this.env(extraEnv));
    return this.host;
  }

  /** Posts a signed push webhook for the branch head, as GitHub would. */
  async push(
    scope: string,
    options: { deliveryId?: string; repository?: string; branch?: string; after?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const connection = this.connections.find((c) => c.scope === scope);
    const repository = options.repository ?? connection?.repository ?? 'acme/scripts';
    const branch = options.branch ?? connection?.branch ?? 'main';
    const after = options.after ?? (await this.repos.get(repository)!.head(branch));
    const payload = JSON.stringify({
      ref: `refs/heads/${branch}`,
      before: `${'0'.repeat(39)}1`,
      after,
      forced: false,
      deleted: false,
      repository: { id: this.peer.repositoryId(repository), full_name: repository },
      commits: [],
    });
    const response = await this.api(`github/webhook/${scope}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': options.deliveryId ?? globalThis.crypto.randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', this.webhookSecret).update(payload).digest('hex')}`,
      },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Waits until the worker has nothing in flight and nothing due within `horizonMs`. */
  async idle(horizonMs = 2_000): Promise<void> {
    if (!this.serviceBus) {
      await this.host!.container.get(IN_PROCESS_QUEUE).idle(horizonMs);
      return;
    }
    // Service Bus: quiet = nothing active or locked, and no scheduled message due within the horizon.
    const deadline = Date.now() + 60_000;
    let quietSince = 0;
    while (Date.now() < deadline) {
      const stats = this.serviceBus.stats(SYNC_QUEUE);
      const busy =
        stats.active + stats.locked > 0 ||
        (stats.nextScheduledAt !== undefined && stats.nextScheduledAt <= Date.now() + horizonMs);
      if (busy) quietSince = 0;
      else if (quietSince === 0) quietSince = Date.now();
      else if (Date.now() - quietSince > 300) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the Service Bus queue did not go quiet within 60 s');
  }

  scopePath(scope: string): string {
    return join(this.workspaceRoot, scopeFolder(scope as Scope));
  }

  /** Differences between the scope folder and `git archive` of the commit (regular files and their folders). */
  async differencesFromCommit(scope: string, repository: string, commitSha: string): Promise<string[]> {
    const archive = await mkdtemp(join(tmpdir(), 'wsync-archive-'));
    try {
      await this.repos.get(repository)!.archiveTo(commitSha, archive);
      const expected = mirrorableView(await snapshotFolder(archive));
      return diffSnapshots(await snapshotFolder(this.scopePath(scope)), expected);
    } finally {
      await rm(archive, { recursive: true, force: true });
    }
  }

  /** A separate MetadataRepo on the same tables, to read what the service recorded. */
  metadata(): TableMetadataRepo {
    return new TableMetadataRepo({ connectionString: this.azurite.connectionString, tablePrefix: this.tablePrefix });
  }

  async runs(scope: string): Promise<SyncRun[]> {
    const page = await this.metadata().listRuns({ scope: scope as Scope, limit: 100 });
    return page.runs;
  }

  async stopHost(): Promise<void> {
    await this.host?.stop();
    this.host = undefined;
  }

  /**
   * Calls the running host's API (the development identity: no token) and checks the answer against
   * the host's own OpenAPI document.
   */
  async api(path: string, init: RequestInit = {}): Promise<Response> {
    const base = this.host!.server.url;
    const response = await fetch(`${base}/api/${path}`, init);
    const bytes = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type');
    this.validator ??= await OpenApiValidator.fromService(base);
    this.violations.push(
      ...this.validator.check({
        method: init.method ?? 'GET',
        path: `/api/${path}`,
        status: response.status,
        contentType,
        body: answerBody(contentType, bytes),
      }),
    );
    return new Response(bytes.byteLength > 0 ? bytes : null, { status: response.status, headers: response.headers });
  }

  async dispose(): Promise<void> {
    const violations = [...this.violations];
    await this.stopHost();
    await this.peer.stop();
    await this.serviceBus?.stop();
    await this.azurite.stop();
    for (const repo of this.repos.values()) await repo.dispose();
    await rm(this.workspaceRoot, { recursive: true, force: true });
    await rm(join(this.workspaceRoot, '..', `${this.tablePrefix}-data`), { recursive: true, force: true });
    if (violations.length > 0) throw new Error(`answers not matching /api/openapi.json:\n  ${violations.join('\n  ')}`);
  }
}
