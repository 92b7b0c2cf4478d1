import type { HttpFailure } from './httpFailure';

/** When GitHub refused a request because of a rate limit, how long it asked us to wait. */
export interface RateLimit {
  readonly retryAfterMs: number;
}

/** GitHub's documented default wait when a secondary limit answer carries no retry-after. */
const FALLBACK_WAIT_MS = 60_000;

/**
 * Classifies a 403/429 the way GitHub documents its limits: a secondary limit says so in its
 * message and usually sends `retry-after`; a primary limit sends `x-ratelimit-remaining: 0` and
 * `x-ratelimit-reset` (epoch seconds). A 403 with none of these is a permission problem.
 */
export function rateLimitOf(failure: HttpFailure, nowMs: number): RateLimit | undefined {
  const { status, headers, message } = failure;
  if (status !== 403 && status !== 429) return undefined;
  const secondary = /\bsecondary rate\b/i.test(message);
  const primary = headers['x-ratelimit-remaining'] === '0' || failure.errorTypes.includes('RATE_LIMITED');
  const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
  const looksLimited =
    secondary || primary || status === 429 || retryAfter !== undefined || /rate limit/i.test(message);
  if (!looksLimited) return undefined;

  let retryAfterMs = retryAfter;
  if (retryAfterMs === undefined && primary) {
    const resetSeconds = Number(headers['x-ratelimit-reset']);
    // One extra second so a retry lands after the reset, as GitHub advises.
    if (Number.isFinite(resetSeconds) && resetSeconds > 0)
      retryAfterMs = Math.max(0, resetSeconds * 1000 - nowMs) + 1000;
  }
  return { retryAfterMs: retryAfterMs ?? FALLBACK_WAIT_MS };
}

/** `retry-after` is either delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
