import type { Logger } from '../../ports/Logger';

/**
 * Octokit with its plugins, loaded on the first client: a process that only answers webhooks (or has
 * just started) never loads it. Plugin order matters: hooks registered later wrap earlier ones, so
 * throttling (rate limits, honours retry-after) sits outside retry (5xx and network failures,
 * quadratic back-off).
 */
function loadThrottledOctokit() {
  const { Octokit } = require('@octokit/rest') as typeof import('@octokit/rest');
  const { retry } = require('@octokit/plugin-retry') as typeof import('@octokit/plugin-retry');
  const { throttling } = require('@octokit/plugin-throttling') as typeof import('@octokit/plugin-throttling');
  return Octokit.plugin(retry, throttling);
}
let ThrottledOctokit: ReturnType<typeof loadThrottledOctokit> | undefined;
export type GitHubClient = InstanceType<ReturnType<typeof loadThrottledOctokit>>;

export interface GitHubClientSettings {
  readonly baseUrl: string;
  readonly userAgent: string;
  readonly logger: Logger;
  readonly retries: number;
  readonly maxRetryAfterSeconds: number;
  /** plugin-retry waits (n+1)^2 times this before retry n+1. */
  readonly retryBaseDelayMs: number;
}

/** Statuses plugin-retry must leave alone: permanent answers, and 429 which throttling owns. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

let clientNumber = 0;

/** One Octokit for one token; the token lives only in Octokit's auth strategy. */
export function createGitHubClient(token: string, settings: GitHubClientSettings): GitHubClient {
  const { logger } = settings;
  const onLimit =
    (kind: 'primary' | 'secondary') =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ): boolean => {
      const willRetry = retryAfter <= settings.maxRetryAfterSeconds && retryCount < settings.retries;
      logger.warn(
        { kind, retryAfterSeconds: retryAfter, retryCount, willRetry, method: options.method, route: options.url },
        willRetry
          ? 'GitHub rate limit: waiting before retrying'
          : 'GitHub rate limit: giving the wait back to the caller',
      );
      return willRetry;
    };
  ThrottledOctokit ??= loadThrottledOctokit();
  return new ThrottledOctokit({
    auth: token,
    baseUrl: settings.baseUrl.replace(/\/+$/, ''),
    userAgent: settings.userAgent,
    // Octokit's request log reports every failed request at error level, including the expected
    // 404 of a missing branch; callers get a SourceError and decide, so this is debug noise.
    log: {
      debug: (message: string) => logger.debug({}, message),
      info: (message: string) => logger.debug({}, message),
      warn: (message: string) => logger.warn({}, message),
      error: (message: string) => logger.debug({}, message),
    },
    throttle: {
      // Bottleneck groups are shared process-wide by id: one id per client keeps tokens apart.
      id: `workspace-sync-${++clientNumber}`,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
    retry: {
      retries: settings.retries,
      doNotRetry: DO_NOT_RETRY,
      retryAfterBaseValue: settings.retryBaseDelayMs,
    },
  });
}
