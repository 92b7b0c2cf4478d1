import type { HttpResponseInit } from '@azure/functions';
import { AuthenticationUnavailableError } from '../../ports/Authenticator';
import { Fault } from '../../ports/Fault';
import type { Logger } from '../../ports/Logger';
import { SecretStoreReadOnlyError } from '../../ports/SecretStore';
import { problem } from './problem';

/** Seconds to wait before retrying, as a `retry-after` header: the fault's own hint, else 5 s. */
export function retryAfterSeconds(retryAfterMs: number | undefined): string {
  return String(Math.max(1, Math.ceil((retryAfterMs ?? 5_000) / 1000)));
}

/**
 * A thrown Fault becomes 503 when it is retryable (storage or GitHub down: try again) and 500
 * otherwise; anything thrown that is not a Fault is a bug: 500, logged as one. The caller's mistakes
 * never get here: handlers answer them as 4xx values.
 */
export function faultResponse(error: unknown, log: Logger): HttpResponseInit {
  if (error instanceof AuthenticationUnavailableError) {
    log.warn({ error: error.message }, 'tokens cannot be validated');
    return problem(503, 'AuthUnavailable', 'tokens cannot be validated right now; try again shortly', {
      'retry-after': retryAfterSeconds(error.retryAfterMs),
    });
  }
  if (error instanceof SecretStoreReadOnlyError) {
    log.error({ error: error.message }, 'the secret store cannot store secrets');
    return problem(
      500,
      'SecretStoreReadOnly',
      'this deployment keeps secrets in environment variables and cannot store new ones: configure SECRET_STORE=file (or Key Vault)',
    );
  }
  if (error instanceof Fault && error.retryable) {
    log.warn({ error: error.message, name: error.name, code: error.code }, 'a dependency is unavailable');
    return problem(503, 'DependencyUnavailable', 'a service this request needs is unavailable; try again shortly', {
      'retry-after': retryAfterSeconds(error.retryAfterMs),
    });
  }
  if (error instanceof Fault) {
    log.error({ error: error.message, name: error.name, code: error.code }, 'a dependency refused the request');
  } else {
    log.error(
      { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), unexpected: true },
      'request failed on an unexpected error (a bug)',
    );
  }
  return problem(500, 'InternalError', 'unexpected error; it has been logged');
}
