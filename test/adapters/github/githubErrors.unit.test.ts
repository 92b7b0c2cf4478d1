import { describe, expect, it } from 'vitest';
import { rateLimitOf } from '../../../src/adapters/github/rateLimit';
import { toSourceError } from '../../../src/adapters/github/toSourceError';
import { SourceError } from '../../../src/ports/SourceRepository';

/** The shape of Octokit's RequestError, as the adapter reads it. */
const answered = (status: number, message: string, headers: Record<string, string> = {}, data: unknown = {}) =>
  Object.assign(new Error(message), { status, response: { headers, data } });
/** Octokit's report of a request that got no answer: status 500 and no response. */
const unanswered = (message: string) => Object.assign(new Error(message), { status: 500 });

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('rateLimitOf', () => {
  it('reads a secondary limit from its message and retry-after', () => {
    const limit = rateLimitOf(
      {
        status: 403,
        headers: { 'retry-after': '30' },
        message: 'You have exceeded a secondary rate limit',
        errorTypes: [],
      },
      NOW,
    );
    expect(limit).toEqual({ retryAfterMs: 30_000 });
  });

  it('reads a primary limit from x-ratelimit-reset, one second past the reset', () => {
    const reset = String(NOW / 1000 + 120);
    const limit = rateLimitOf(
      {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        message: 'API rate limit exceeded',
        errorTypes: [],
      },
      NOW,
    );
    expect(limit).toEqual({ retryAfterMs: 121_000 });
  });

  it('accepts retry-after as an HTTP date', () => {
    const date = new Date(NOW + 45_000).toUTCString();
    expect(
      rateLimitOf({ status: 429, headers: { 'retry-after': date }, message: '', errorTypes: [] }, NOW)?.retryAfterMs,
    ).toBe(45_000);
  });

  it('reads a bare 429 as a rate limit with the 60 s fallback', () => {
    expect(rateLimitOf({ status: 429, headers: {}, message: 'Too Many Requests', errorTypes: [] }, NOW)).toEqual({
      retryAfterMs: 60_000,
    });
  });

  it('does not take a permission 403 or other statuses for a rate limit', () => {
    expect(
      rateLimitOf(
        {
          status: 403,
          headers: { 'x-ratelimit-remaining': '4999' },
          message: 'Resource not accessible by integration',
          errorTypes: [],
        },
        NOW,
      ),
    ).toBeUndefined();
    expect(
      rateLimitOf({ status: 500, headers: { 'retry-after': '5' }, message: '', errorTypes: [] }, NOW),
    ).toBeUndefined();
  });
});

describe('toSourceError', () => {
  const map = (error: unknown) => toSourceError(error, 'reading x', 'ghp_secret', NOW);

  it.each([
    [401, 'Unauthorized', false],
    [403, 'Unauthorized', false],
    [404, 'NotFound', false],
    [409, 'NotFound', false],
    [422, 'NotFound', false],
    [500, 'Unavailable', true],
    [502, 'Unavailable', true],
    [503, 'Unavailable', true],
  ] as const)('maps %i to %s', (status, code, retryable) => {
    const error = map(answered(status, 'whatever'));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  it('maps rate limits to RateLimited with retryAfterMs', () => {
    const error = map(answered(429, 'API rate limit exceeded', { 'retry-after': '7', 'x-ratelimit-remaining': '0' }));
    expect(error.code).toBe('RateLimited');
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('maps network failures (no response) to Unavailable', () => {
    const error = map(unanswered('other side closed'));
    expect(error.code).toBe('Unavailable');
    expect(error.message).toContain('other side closed');
    expect(map(new Error('socket hang up')).code).toBe('Unavailable');
  });

  it('scrubs the token from whatever GitHub or the network said', () => {
    expect(map(answered(500, 'echo ghp_secret and ghp_secret')).message).not.toContain('ghp_secret');
    expect(map(unanswered('connect to ghp_secret failed')).message).not.toContain('ghp_secret');
  });

  it('passes a SourceError through unchanged', () => {
    const original = new SourceError('TreeIncomplete', 'walk failed');
    expect(map(original)).toBe(original);
  });
});
