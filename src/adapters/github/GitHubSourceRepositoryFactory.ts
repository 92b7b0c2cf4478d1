import { isValidRepository } from '../../domain/connections/Connection';
import type { Logger } from '../../ports/Logger';
import {
  SourceError,
  type SourceLocation,
  type SourceRepository,
  type SourceRepositoryFactory,
} from '../../ports/SourceRepository';
import type { GitHubClientSettings } from './createGitHubClient';
import { GitHubClientCache } from './GitHubClientCache';
import { GitHubSourceRepository } from './GitHubSourceRepository';
import { silentLogger } from './silentLogger';

export interface GitHubSourceRepositoryOptions {
  /** https://api.github.com, a GHES https://host/api/v3, or a test peer. */
  readonly baseUrl: string;
  readonly userAgent?: string;
  readonly logger?: Logger;
  /** Retries of 5xx/network failures and of rate limits we are willing to wait out (default 3). */
  readonly retries?: number;
  /**
   * Longest rate-limit wait spent inside a call (default 60 s). A longer one is thrown as
   * RateLimited with retryAfterMs, so the queue reschedules instead of a worker sitting idle.
   */
  readonly maxRetryAfterSeconds?: number;
  /** Longest silence while waiting for a response or the next body chunk (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** Base of the quadratic back-off between retries of 5xx/network failures (default 1000 ms). */
  readonly retryBaseDelayMs?: number;
  /** Concurrent requests while walking a truncated tree (default 8). */
  readonly treeConcurrency?: number;
}

/** Opens GitHub repositories, reusing one Octokit (and its bound on requests in flight) per token. */
export class GitHubSourceRepositoryFactory implements SourceRepositoryFactory {
  private readonly clients: GitHubClientCache;
  private readonly clientSettings: GitHubClientSettings;
  private readonly logger: Logger;

  constructor(private readonly options: GitHubSourceRepositoryOptions) {
    this.logger = options.logger ?? silentLogger;
    this.clientSettings = {
      baseUrl: options.baseUrl,
      userAgent: options.userAgent ?? 'workspace-sync',
      logger: this.logger,
      retries: options.retries ?? 3,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? 60,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
    };
    this.clients = new GitHubClientCache(this.clientSettings);
  }

  open(location: SourceLocation): SourceRepository {
    if (!isValidRepository(location.repository)) {
      throw new SourceError('NotFound', `'${location.repository}' is not an owner/name repository`);
    }
    if (location.token === '') throw new SourceError('Unauthorized', `no token to read ${location.repository}`);
    const client = () => this.clients.clientFor(location.token);
    return new GitHubSourceRepository(client, location.repository, location.token, {
      logger: this.logger,
      retries: this.clientSettings.retries,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 60_000,
      treeConcurrency: this.options.treeConcurrency ?? 8,
      baseUrl: this.clientSettings.baseUrl,
      userAgent: this.clientSettings.userAgent,
    });
  }
}
