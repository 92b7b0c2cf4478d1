import type { HttpResponseInit } from '@azure/functions';
import { AuthenticationUnavailableError } from '../../ports/Authenticator';
import type { Logger } from '../../ports/Logger';
import { SecretStoreReadOnlyError } from '../../ports/SecretStore';
import { problem } from './problem';

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
  if (error instanceof SecretStoreReadOnlyError) {
    log.error({ error: message }, 'the secret store cannot store secrets');
    return problem(500, 'SecretStoreReadOnly', 'this deployment keeps secrets in environment variables and cannot store new ones: configure SECRET_STORE=file (or Key Vault)');
  }
  if (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true) {
    log.warn({ error: message, name: (error as Error).name }, 'a dependency is unavailable');
    return problem(503, 'DependencyUnavailable', 'a service this request needs is unavailable; try again shortly', { 'retry-after': '5' });
  }
  log.error({ error: message, name: error instanceof Error ? error.name : typeof error }, 'request failed');
  return problem(500, 'InternalError', 'unexpected error; it has been logged');
}
