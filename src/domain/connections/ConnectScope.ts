import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { FileStore } from '../../ports/FileStore';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { ManifestRepo } from '../../ports/ManifestRepo';
import type { RepositoryAdmin } from '../../ports/RepositoryAdmin';
import type { SecretStore } from '../../ports/SecretStore';
import type { SourceLocation, SourceRepositoryFactory } from '../../ports/SourceRepository';
import type { Scope } from '../shared/Scope';
import { requestSync, type SyncRequest } from '../sync/RequestSync';
import { listScopeFolder } from '../workspace/ScopeFiles';
import type { Connection, WebhookRegistration } from './Connection';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from './ConnectionFailure';
import { connectionSecretNames, newWebhookSecret } from './ConnectionSecrets';
import { checkAccess, checkBranch, checkRepository, normalizeSubPath, readTarget } from './ConnectionTarget';

export interface ConnectScopeInput {
  readonly scope: Scope;
  readonly repository: string;
  readonly branch: string;
  /** Folder in the repository to mirror; '' (or '/') for all of it. */
  readonly subPath: string;
  readonly token: string;
  /** Must be true when the scope folder already holds files (they will be replaced or deleted). */
  readonly confirmOverwrite?: boolean;
  /** Public base URL of this service, e.g. https://sync.example.com (no /api). */
  readonly webhookBaseUrl: string;
}

/** How pushes will arrive. The manual secret is shown here once and never again. */
export type WebhookSetup =
  | { readonly mode: 'automatic'; readonly id: number }
  | { readonly mode: 'manual'; readonly url: string; readonly secret: string; readonly reason: string };

interface ConnectScopeSuccess {
  readonly ok: true;
  readonly connection: Connection;
  readonly webhook: WebhookSetup;
  /** The first sync (trigger 'connect'). */
  readonly sync: SyncRequest;
}

interface ConfirmationRequired extends ConnectionFailure<'ConfirmationRequired'> {
  /** Files the scope folder holds now. */
  readonly fileCount: number;
}

/** Every code connecting can fail with: the result type and the route's documentation both derive from it. */
export const CONNECT_SCOPE_FAILURES = [
  'InvalidRepository',
  'InvalidBranch',
  'InvalidSubPath',
  'ConnectionExists',
  'ConfirmationRequired',
  'TokenRejected',
  'RepositoryNotFound',
  'InsufficientPermissions',
  'BranchNotFound',
  'SubPathNotFound',
  'GitHubUnavailable',
] as const satisfies readonly ConnectionFailureCode[];

/** The codes of plain failures; `ConfirmationRequired` comes as its own type, with the file count. */
type ConnectScopeFailureCode = Exclude<(typeof CONNECT_SCOPE_FAILURES)[number], 'ConfirmationRequired'>;

export type ConnectScopeResult =
  | ConnectScopeSuccess
  | ConnectionFailure<ConnectScopeFailureCode>
  | ConfirmationRequired;

export interface ConnectScopeDeps {
  readonly metadata: ConnectionRepo & ManifestRepo;
  readonly files: FileStore;
  readonly sources: SourceRepositoryFactory;
  readonly admin: RepositoryAdmin;
  readonly secrets: SecretStore;
  readonly queue: CommandQueue;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Path of the webhook endpoint for a scope, below the service's base URL. */
function webhookUrl(webhookBaseUrl: string, scope: Scope): string {
  return `${webhookBaseUrl.replace(/\/+$/, '')}/api/github/webhook/${encodeURIComponent(scope)}`;
}

/**
 * Connects a scope to a GitHub branch: checks everything a person can get wrong before changing
 * anything, then stores the token and a new webhook secret, saves the connection (with GitHub's
 * repository id, which survives renames), registers the webhook when the token may (else hands out
 * what to register by hand) and notes its id on the connection, and queues the first sync.
 */
export class ConnectScope {
  constructor(private readonly deps: ConnectScopeDeps) {}

  async execute(input: ConnectScopeInput): Promise<ConnectScopeResult> {
    const { metadata, files, sources, admin, clock } = this.deps;
    const formatFailure = checkRepository(input.repository) ?? checkBranch(input.branch);
    if (formatFailure) return formatFailure;
    const subPath = normalizeSubPath(input.subPath);
    if (!subPath.ok) return subPath;
    if (await metadata.getConnection(input.scope)) {
      return failure(
        'ConnectionExists',
        `scope ${input.scope} is already connected; update or disconnect that connection first`,
      );
    }

    const location: SourceLocation = { repository: input.repository, token: input.token };
    const access = await checkAccess(admin, location);
    if (!access.ok) return access;
    const target = { repository: input.repository, branch: input.branch, subPath: subPath.subPath };
    const branch = await readTarget(sources, location, target, false);
    if (!branch.ok) return branch;

    if (input.confirmOverwrite !== true) {
      const fileCount = (await listScopeFolder(files, input.scope)).filter((entry) => entry.kind === 'file').length;
      if (fileCount > 0) {
        const message = `the folder of scope ${input.scope} holds ${fileCount} files; the first sync replaces them with the branch's files and deletes the rest. Confirm to go ahead`;
        return { ...failure('ConfirmationRequired', message), fileCount };
      }
    }

    const names = connectionSecretNames(input.scope);
    const secret = newWebhookSecret();
    const tokenRef = await this.deps.secrets.set(names.token, input.token);
    const webhookSecretRef = await this.deps.secrets.set(names.webhookSecret, secret);
    const url = webhookUrl(input.webhookBaseUrl, input.scope);

    const now = clock.now();
    const connection: Connection = {
      scope: input.scope,
      repository: access.details.fullName,
      repositoryId: access.details.id,
      branch: input.branch,
      subPath: subPath.subPath,
      tokenRef,
      webhookSecretRef,
      enabled: true,
      // Manual until GitHub gives the hook an id.
      webhook: { mode: 'manual' },
      createdAt: now,
      updatedAt: now,
    };
    // Saved before the hook exists: GitHub pings a new hook at once, and the ping must find its
    // connection. A manifest left from an earlier connection describes another target: the first
    // sync must compare with the folder itself.
    await metadata.deleteManifest(input.scope);
    await metadata.saveConnection(connection);
    const webhook = await this.registerWebhook(location, url, secret, access.details.permissions.admin);
    const saved = webhook.mode === 'automatic' ? await this.noteWebhook(connection, location, webhook.id) : connection;

    const sync = await requestSync(this.deps, input.scope, 'connect');
    return { ok: true, connection: saved, webhook, sync };
  }

  private async registerWebhook(
    location: SourceLocation,
    url: string,
    secret: string,
    isAdmin: boolean,
  ): Promise<WebhookSetup> {
    if (!isAdmin) {
      return {
        mode: 'manual',
        url,
        secret,
        reason: 'the token may not administer the repository, so the webhook could not be registered for you',
      };
    }
    try {
      const { id } = await this.deps.admin.createWebhook(location, { url, secret });
      return { mode: 'automatic', id };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { mode: 'manual', url, secret, reason: `GitHub did not register the webhook (${detail})` };
    }
  }

  /** Records the registered hook on the connection; when that fails, neither is left behind. */
  private async noteWebhook(connection: Connection, location: SourceLocation, id: number): Promise<Connection> {
    const withHook: Connection = { ...connection, webhook: { mode: 'automatic', id } };
    try {
      await this.deps.metadata.saveConnection(withHook);
      return withHook;
    } catch (error) {
      await this.forgetWebhook(location, withHook.webhook);
      await this.deps.metadata.deleteConnection(connection.scope).catch(() => undefined);
      throw error;
    }
  }

  /** Best effort: a webhook without a connection only earns "unknown scope" answers. */
  private async forgetWebhook(location: SourceLocation, webhook: WebhookRegistration): Promise<void> {
    if (webhook.mode !== 'automatic') return;
    try {
      await this.deps.admin.deleteWebhook(location, webhook.id);
    } catch {
      // Nothing more to do; the original error is what the caller needs to see.
    }
  }
}
