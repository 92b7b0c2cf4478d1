import type { HttpFailure } from './httpFailure';
import { rateLimitOf } from './rateLimit';

export interface RetrySettings {
  /** Retries of one request, whatever their cause. */
  readonly retries: number;
  /** Longest rate-limit wait spent inside a call; a longer one goes back to the caller. */
  readonly maxRetryAfterSeconds: number;
  /** Retry n (counted from 1) of a transient failure waits n² times this. */
  readonly retryBaseDelayMs: number;
}

export interface Retry {
  readonly reason: 'rate-limit' | 'transient';
  readonly waitMs: number;
}

/** Answers that do not heal by asking again (403 and 429 are rate limits or permission problems). */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 409, 410, 422, 429, 451]);

/**
 * Whether a failed GitHub request is worth sending again, and after how long: a rate limit after
 * the wait GitHub asked for (when we are willing to wait that long), a network failure or a 5xx
 * after a quadratic back-off. `retriesDone` counts the retries already made of this request.
 */
export function retryDecision(
  failure: HttpFailure,
  retriesDone: number,
  settings: RetrySettings,
  nowMs: number,
): Retry | undefined {
  if (retriesDone >= settings.retries) return undefined;
  const limit = rateLimitOf(failure, nowMs);
  if (limit) {
    return limit.retryAfterMs <= settings.maxRetryAfterSeconds * 1000
      ? { reason: 'rate-limit', waitMs: limit.retryAfterMs }
      : undefined;
  }
  const { status } = failure;
  if (status !== undefined && (status < 400 || PERMANENT_STATUSES.has(status))) return undefined;
  return { reason: 'transient', waitMs: (retriesDone + 1) ** 2 * settings.retryBaseDelayMs };
}
