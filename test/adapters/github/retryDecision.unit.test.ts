import { describe, expect, it } from 'vitest';
import type { HttpFailure } from '../../../src/adapters/github/httpFailure';
import { retryDecision } from '../../../src/adapters/github/retryDecision';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const SETTINGS = { retries: 3, maxRetryAfterSeconds: 60, retryBaseDelayMs: 100 };
const failure = (status: number | undefined, headers: Record<string, string> = {}, message = ''): HttpFailure => ({
  status,
  headers,
  message,
  errorTypes: [],
});

describe('retryDecision', () => {
  it('retries a network failure and 5xx answers with a quadratic back-off', () => {
    expect(retryDecision(failure(undefined), 0, SETTINGS, NOW)).toEqual({ reason: 'transient', waitMs: 100 });
    expect(retryDecision(failure(502), 1, SETTINGS, NOW)).toEqual({ reason: 'transient', waitMs: 400 });
    expect(retryDecision(failure(500), 2, SETTINGS, NOW)).toEqual({ reason: 'transient', waitMs: 900 });
  });

  it('stops after `retries` retries, whatever the cause', () => {
    expect(retryDecision(failure(503), 3, SETTINGS, NOW)).toBeUndefined();
    expect(retryDecision(failure(429, { 'retry-after': '1' }), 3, SETTINGS, NOW)).toBeUndefined();
  });

  it('never retries answers that do not heal, nor a success status', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422, 451, 304]) {
      expect(retryDecision(failure(status), 0, SETTINGS, NOW), String(status)).toBeUndefined();
    }
  });

  it('retries other 4xx that may heal (a request timeout)', () => {
    expect(retryDecision(failure(408), 0, SETTINGS, NOW)?.reason).toBe('transient');
  });

  it('waits out a rate limit as long as GitHub asks, up to the longest wait we accept', () => {
    const secondary = failure(403, { 'retry-after': '30' }, 'You have exceeded a secondary rate limit');
    expect(retryDecision(secondary, 0, SETTINGS, NOW)).toEqual({ reason: 'rate-limit', waitMs: 30_000 });
    const primary = failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 20) });
    expect(retryDecision(primary, 0, SETTINGS, NOW)).toEqual({ reason: 'rate-limit', waitMs: 21_000 });
    expect(retryDecision(failure(429, { 'retry-after': '0' }), 0, SETTINGS, NOW)).toEqual({
      reason: 'rate-limit',
      waitMs: 0,
    });
  });

  it('hands a longer rate limit back to the caller instead of waiting', () => {
    expect(retryDecision(failure(429, { 'retry-after': '61' }), 0, SETTINGS, NOW)).toBeUndefined();
    // A bare 429 means GitHub's advised 60 s, beyond a 30 s budget.
    expect(retryDecision(failure(429), 0, { ...SETTINGS, maxRetryAfterSeconds: 30 }, NOW)).toBeUndefined();
  });
});
