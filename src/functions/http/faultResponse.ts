import type { HttpResponseInit } from '@azure/functions';
import { AuthenticationUnavailableError } from '../../ports/Authenticator';
import type { Logger } from '../../ports/Logger';
import { problem } from './problem';

/** Codes every route may answer with when something other than the caller went wrong. */
export const FAULT_CODES = { unavailable: ['AuthUnavailable', 'DependencyUnavailable'], internal: ['InternalError'] } as const;

/**
 * A thrown fault becomes 503 when it says it is retryable (storage or GitHub down: try again) and
 * 500 otherwise. The caller's mistakes never get here: handlers answer them as 4xx values.
 */
export function faultResponse(error: unknown, log: Logger): HttpResponseInit {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AuthenticationUnavailableError) {
    log.warn({ error: message }, 'tokens cannot be validated');
    return problem(503, 'AuthUnavailable', 'tokens cannot be validated right now; try again shortly', { 'retry-after': '5' });
  }
  if (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true) {
    log.warn({ error: message, name: (error as Error).name }, 'a dependency is unavailable');
    return problem(503, 'DependencyUnavailable', 'a service this request needs is unavailable; try again shortly', { 'retry-after': '5' });
  }
  log.error({ error: message, name: error instanceof Error ? error.name : typeof error }, 'request failed');
  return problem(500, 'InternalError', 'unexpected error; it has been logged');
}
