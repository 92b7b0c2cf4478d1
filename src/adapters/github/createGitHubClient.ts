import pLimit from 'p-limit';
import type { Logger } from '../../ports/Logger';
import { httpFailureOf } from './httpFailure';
import { type RetrySettings, retryDecision } from './retryDecision';

/** Octokit, loaded on the first client: a process that only answers webhooks (or has just started) never loads it. */
function loadOctokit() {
  return (require('@octokit/rest') as typeof import('@octokit/rest')).Octokit;
}
let Octokit: ReturnType<typeof loadOctokit> | undefined;
export type GitHubClient = InstanceType<ReturnType<typeof loadOctokit>>;

let loading: Promise<void> | undefined;

/**
 * Resolves once Octokit is loaded. The first load holds the thread for 30-40 ms (a graph of ES
 * modules, loaded synchronously), so it runs on a later turn of the event loop: requests started
 * just before (a sync's manifest read, issued while its source opens) leave first and travel
 * meanwhile, instead of waiting behind it (issue #10).
 */
export function octokitLoaded(): Promise<void> {
  if (Octokit !== undefined) return Promise.resolve();
  loading ??= new Promise<void>((resolve, reject) => {
    setImmediate(() => {
      try {
        Octokit ??= loadOctokit();
        resolve();
      } catch (error) {
        loading = undefined; // the next request tries again
        reject(error);
      }
    });
  });
  return loading;
}

export interface GitHubClientSettings extends RetrySettings {
  readonly baseUrl: string;
  readonly userAgent: string;
  readonly logger: Logger;
}

/**
 * Requests one token has in flight at most, as @octokit/plugin-throttling allows; GitHub asks
 * integrations to keep concurrency low to stay clear of its secondary limits.
 */
const REQUESTS_IN_FLIGHT_PER_TOKEN = 10;

/** One Octokit for one token; the token lives only in Octokit's auth strategy. */
export function createGitHubClient(token: string, settings: GitHubClientSettings): GitHubClient {
  const { logger } = settings;
  Octokit ??= loadOctokit();
  const client = new Octokit({
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
  });
  // Retries and the concurrency bound live in one request hook rather than in
  // @octokit/plugin-retry and plugin-throttling: their scheduler (Bottleneck) waits on timers at
  // every step, which cost about 15 ms per request (bench/RESULTS.md, issue #10).
  const inFlight = pLimit(REQUESTS_IN_FLIGHT_PER_TOKEN);
  client.hook.wrap('request', async (request, options) => {
    for (let retriesDone = 0; ; retriesDone++) {
      try {
        return await inFlight(() => request(options));
      } catch (error) {
        // Only Octokit's own errors carry a status; anything else is a bug, not a bad answer.
        if (typeof (error as { status?: unknown }).status !== 'number') throw error;
        const retry = retryDecision(httpFailureOf(error), retriesDone, settings, Date.now());
        if (retry === undefined) throw error;
        const route = `${options.method} ${options.url}`;
        if (retry.reason === 'rate-limit')
          logger.warn({ retryAfterMs: retry.waitMs, retriesDone, route }, 'GitHub rate limit: waiting before retrying');
        else logger.debug({ waitMs: retry.waitMs, retriesDone, route }, 'GitHub request failed: retrying');
        await new Promise((resolve) => setTimeout(resolve, retry.waitMs));
      }
    }
  });
  return client;
}
