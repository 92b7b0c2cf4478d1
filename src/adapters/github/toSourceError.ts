import { SourceError } from '../../ports/SourceRepository';
import { httpFailureOf } from './httpFailure';
import { rateLimitOf } from './rateLimit';

/**
 * Maps whatever a GitHub call threw to a SourceError. `what` describes the operation for the
 * message ("reading the tree of o/r at 1234567"); `secret` (the token) is scrubbed from anything
 * GitHub or the network stack said, so it can never leak through an error message.
 */
export function toSourceError(error: unknown, what: string, secret: string, nowMs = Date.now()): SourceError {
  if (error instanceof SourceError) return error;
  const failure = httpFailureOf(error);
  const detail = redact(failure.message, secret).slice(0, 300);
  const { status } = failure;

  if (status === undefined)
    return new SourceError('Unavailable', `${what}: no answer from GitHub (${detail || 'network failure'})`);

  const limit = rateLimitOf(failure, nowMs);
  if (limit) {
    return new SourceError(
      'RateLimited',
      `${what}: GitHub rate limit, retry in ${Math.ceil(limit.retryAfterMs / 1000)} s`,
      limit.retryAfterMs,
    );
  }
  const answered = `${what}: GitHub answered ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401) return new SourceError('Unauthorized', `${answered}; the token is invalid, expired or revoked`);
  if (status === 403) return new SourceError('Unauthorized', `${answered}; the token lacks permission`);
  // 404: gone or invisible to this token (GitHub hides private repositories behind 404).
  // 409: empty repository; 410: gone; 400/422: the object name is not valid. None heal by retrying.
  if (status === 404 || status === 409 || status === 410 || status === 400 || status === 422) {
    return new SourceError('NotFound', answered);
  }
  return new SourceError('Unavailable', answered);
}

function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join('[redacted]');
}
