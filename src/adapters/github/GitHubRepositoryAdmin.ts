import { isValidRepository } from '../../domain/connections/Connection';
import type { Logger } from '../../ports/Logger';
import type { RepositoryAdmin, RepositoryDetails, WebhookTarget } from '../../ports/RepositoryAdmin';
import { SourceError, type SourceLocation } from '../../ports/SourceRepository';
import type { GitHubClient } from './createGitHubClient';
import { GitHubClientCache } from './GitHubClientCache';
import { httpFailureOf } from './httpFailure';
import { meteredFetch } from './meteredFetch';
import { silentLogger } from './silentLogger';
import { toSourceError } from './toSourceError';

export interface GitHubRepositoryAdminOptions {
  /** https://api.github.com, a GHES https://host/api/v3, or a test peer. */
  readonly baseUrl: string;
  readonly userAgent?: string;
  readonly logger?: Logger;
  /** Retries of 5xx/network failures and of rate limits we are willing to wait out (default 2). */
  readonly retries?: number;
  /** Longest rate-limit wait spent inside a call (default 10 s: a person is waiting for the answer). */
  readonly maxRetryAfterSeconds?: number;
  /** Longest silence while waiting for a response (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Base of the quadratic back-off between retries of 5xx/network failures (default 500 ms). */
  readonly retryBaseDelayMs?: number;
}

interface OpenedRepository {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
}

interface HookJson {
  readonly id?: unknown;
  readonly events?: unknown;
  readonly config?: { readonly url?: unknown };
}

/** Repository details and push webhooks through the GitHub REST API, one Octokit per token. */
export class GitHubRepositoryAdmin implements RepositoryAdmin {
  private readonly clients: GitHubClientCache;
  private readonly fetch: typeof fetch;

  constructor(options: GitHubRepositoryAdminOptions) {
    this.clients = new GitHubClientCache({
      baseUrl: options.baseUrl,
      userAgent: options.userAgent ?? 'workspace-sync',
      logger: options.logger ?? silentLogger,
      retries: options.retries ?? 2,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 10,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    });
    this.fetch = meteredFetch({
      bodyMode: 'buffered',
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      onRequest: () => undefined,
    });
  }

  async inspect(location: SourceLocation): Promise<RepositoryDetails> {
    const { client, owner, repo } = this.open(location);
    const what = `reading repository ${location.repository}`;
    const data = (await this.call(location, what, () =>
      client.request('GET /repos/{owner}/{repo}', { owner, repo, request: { fetch: this.fetch } }),
    )) as {
      id?: unknown;
      full_name?: unknown;
      default_branch?: unknown;
      private?: unknown;
      permissions?: { pull?: unknown; push?: unknown; admin?: unknown };
    };
    const id = typeof data.id === 'bigint' ? Number(data.id) : data.id;
    if (
      typeof id !== 'number' ||
      !Number.isSafeInteger(id) ||
      id <= 0 ||
      typeof data.full_name !== 'string' ||
      typeof data.default_branch !== 'string'
    ) {
      throw new SourceError(
        'Unavailable',
        `${what}: GitHub sent a repository without an id, a name or a default branch`,
      );
    }
    // GitHub lists permissions for every authenticated caller; were they missing, reading the
    // repository just worked, so it may be pulled, and nothing more is assumed.
    const permissions = data.permissions;
    return {
      id,
      fullName: data.full_name,
      defaultBranch: data.default_branch,
      private: data.private === true,
      permissions: permissions
        ? { pull: permissions.pull === true, push: permissions.push === true, admin: permissions.admin === true }
        : { pull: true, push: false, admin: false },
    };
  }

  async createWebhook(location: SourceLocation, target: WebhookTarget): Promise<{ readonly id: number }> {
    const opened = this.open(location);
    const { client, owner, repo } = opened;
    const settings = {
      config: { url: target.url, content_type: 'json', secret: target.secret, insecure_ssl: '0' },
      events: ['push'],
      active: true,
    };
    const what = `creating a webhook on ${location.repository}`;
    let created: { data: unknown };
    try {
      created = await client.request('POST /repos/{owner}/{repo}/hooks', {
        owner,
        repo,
        name: 'web',
        ...settings,
        request: { fetch: this.fetch },
      });
    } catch (error) {
      // 422 "Hook already exists on this repository": one with this URL and an overlapping event.
      // It is ours from an earlier attempt (a retried POST, a disconnect that could not delete it):
      // take it over with the new secret, so a repeated registration converges.
      const existing =
        httpFailureOf(error).status === 422 ? await this.findPushHook(location, opened, target.url) : null;
      if (existing === null) throw toSourceError(error, what, location.token);
      const updated = await this.call(location, `updating webhook ${existing} on ${location.repository}`, () =>
        client.request('PATCH /repos/{owner}/{repo}/hooks/{hook_id}', {
          owner,
          repo,
          hook_id: existing,
          ...settings,
          request: { fetch: this.fetch },
        }),
      );
      return { id: hookId(updated, what) };
    }
    return { id: hookId(created.data, what) };
  }

  async deleteWebhook(location: SourceLocation, id: number): Promise<void> {
    const { client, owner, repo } = this.open(location);
    try {
      await this.call(location, `deleting webhook ${id} of ${location.repository}`, () =>
        client.request('DELETE /repos/{owner}/{repo}/hooks/{hook_id}', {
          owner,
          repo,
          hook_id: id,
          request: { fetch: this.fetch },
        }),
      );
    } catch (error) {
      if (error instanceof SourceError && error.code === 'NotFound') return; // already gone
      throw error;
    }
  }

  private async findPushHook(
    location: SourceLocation,
    { client, owner, repo }: OpenedRepository,
    url: string,
  ): Promise<number | null> {
    // GitHub allows at most 20 webhooks per event on a repository: one page holds them all.
    const hooks = await this.call(location, `listing the webhooks of ${location.repository}`, () =>
      client.request('GET /repos/{owner}/{repo}/hooks', { owner, repo, per_page: 100, request: { fetch: this.fetch } }),
    );
    const match = (Array.isArray(hooks) ? (hooks as HookJson[]) : []).find(
      (hook) =>
        hook.config?.url === url &&
        Array.isArray(hook.events) &&
        (hook.events.includes('push') || hook.events.includes('*')),
    );
    return match === undefined ? null : hookId(match, `listing the webhooks of ${location.repository}`);
  }

  private open(location: SourceLocation): OpenedRepository {
    if (!isValidRepository(location.repository)) {
      throw new SourceError('NotFound', `'${location.repository}' is not an owner/name repository`);
    }
    // Without a token Octokit would ask anonymously and see public repositories: never do that.
    if (location.token === '') throw new SourceError('Unauthorized', `no token for ${location.repository}`);
    const [owner = '', repo = ''] = location.repository.split('/');
    return { client: this.clients.clientFor(location.token), owner, repo };
  }

  /** One Octokit call; its body, or a SourceError without the token in it. */
  private async call(
    location: SourceLocation,
    what: string,
    request: () => Promise<{ data: unknown }>,
  ): Promise<unknown> {
    try {
      return (await request()).data;
    } catch (error) {
      throw toSourceError(error, what, location.token);
    }
  }
}

function hookId(data: unknown, what: string): number {
  const raw = (data as HookJson | null)?.id;
  const id = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
    throw new SourceError('Unavailable', `${what}: GitHub sent a webhook without an id`);
  return id;
}
