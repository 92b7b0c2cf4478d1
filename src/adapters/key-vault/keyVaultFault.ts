import type { AuthenticationError } from '@azure/identity';

// Identity errors are told apart by name (the library's *ErrorName values), not instanceof, so that
// this module does not load the identity library (~180 ms) in processes that never use Key Vault.
const NO_IDENTITY = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError']);
const TOKEN_REFUSED = 'AuthenticationError';

import { KeyVaultError } from './KeyVaultError';

export interface KeyVaultCall {
  readonly operation: 'get' | 'set' | 'delete' | 'recover';
  readonly name: string;
  readonly vaultUrl: string;
  /** The value being set: any text that quotes it is left out of the message. */
  readonly value?: string;
}

/** The shape of the SDK's RestError (duck-typed: core-rest-pipeline is not our direct dependency). */
interface RestErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly details?: { error?: { code?: unknown; message?: unknown; innerError?: { code?: unknown } } };
}

const GRANT =
  "grant the identity this service runs as (the Function App's managed identity, or the user-assigned one AZURE_CLIENT_ID names) " +
  "the 'Key Vault Secrets Officer' role on the vault (RBAC vaults), or get, set, delete and recover secret permissions (access-policy vaults)";

/** Whether the service answered 404 SecretNotFound: the name holds no (enabled, undeleted) secret. */
export function isSecretNotFound(error: unknown): boolean {
  const shape = error as RestErrorShape | null;
  return shape?.statusCode === 404 && serviceError(shape).code === 'SecretNotFound';
}

/**
 * How a 409 Conflict ties a name to a deleted secret: `deleted` while it rests soft-deleted (only a
 * recover or a purge frees the name), `busy` while a delete or recover of it is still under way.
 * Null for any other answer.
 */
export type DeletionConflict = 'deleted' | 'busy';

export function deletionConflict(error: unknown): DeletionConflict | null {
  const shape = error as RestErrorShape | null;
  if (shape?.statusCode !== 409) return null;
  const { innerCode, message } = serviceError(shape);
  // The inner code says it; the message is the fallback for answers that come without one.
  if (innerCode === 'ObjectIsDeletedButRecoverable' || /deleted but recoverable/i.test(message)) return 'deleted';
  if (/^ObjectIsBeing(Deleted|Recovered)$/.test(innerCode) || /currently being (deleted|recovered)/i.test(message))
    return 'busy';
  return null;
}

/** Turns whatever a SecretClient call threw into a KeyVaultError that says what to do about it. */
export function keyVaultFault(error: unknown, call: KeyVaultCall): KeyVaultError {
  const what = `Key Vault ${call.operation} of secret '${call.name}' on ${call.vaultUrl}`;
  const identity = identityFault(error, what, call);
  if (identity) return identity;

  const shape = (typeof error === 'object' && error !== null ? error : {}) as RestErrorShape;
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : undefined;
  if (status === undefined || (status >= 200 && status < 300)) {
    const sdkError = shape.name === 'RestError' || shape.name === 'AbortError';
    if (!sdkError && !/^E[A-Z_]+$/.test(text(shape.code))) {
      // Not a transport fault (a check in the pipeline, a bug): its own words, less any value.
      const message =
        error instanceof Error ? `${error.name}: ${redact(error.message, call.value)}` : `a thrown ${typeof error}`;
      return new KeyVaultError('Rejected', `${what} failed: ${message}`);
    }
    // No answer, or one the SDK could not read: names and codes only, as the SDK's text for an
    // unreadable answer quotes the body, which for a get is the secret.
    const reason = [text(shape.name), text(shape.code)].filter(Boolean).join(' ');
    const kind = status === undefined ? 'got no answer' : `got an unreadable answer (HTTP ${status})`;
    return new KeyVaultError('Unavailable', `${what} ${kind}: ${reason}`, status);
  }

  const service = serviceError(shape);
  const detail = redact(
    `HTTP ${status} ${[service.code, service.innerCode].filter(Boolean).join('/')}${service.message ? `: ${service.message}` : ''}`,
    call.value,
  );
  if (status === 401) {
    return new KeyVaultError(
      'AccessDenied',
      `${what} was refused (${detail}): the vault did not accept the identity's token; ${GRANT}, and check the vault is in the identity's tenant`,
      status,
    );
  }
  if (status === 403) {
    if (service.innerCode === 'SecretDisabled')
      return new KeyVaultError(
        'Rejected',
        `${what} was refused (${detail}): the secret is disabled; enable it or set a new value`,
        status,
      );
    if (/^ForbiddenBy(Firewall|Connection)$/.test(service.innerCode)) {
      return new KeyVaultError(
        'AccessDenied',
        `${what} was refused (${detail}): the vault's network rules do not admit this service; allow its outbound addresses or a private endpoint`,
        status,
      );
    }
    return new KeyVaultError(
      'AccessDenied',
      `${what} was refused (${detail}): the identity lacks permissions on the vault; ${GRANT}`,
      status,
    );
  }
  if (status === 408 || status === 429 || status >= 500)
    return new KeyVaultError('Unavailable', `${what} failed (${detail})`, status);
  return new KeyVaultError('Rejected', `${what} was refused (${detail})`, status);
}

function identityFault(error: unknown, what: string, call: KeyVaultCall): KeyVaultError | null {
  if (!(error instanceof Error)) return null;
  if (NO_IDENTITY.has(error.name)) {
    return new KeyVaultError(
      'IdentityUnavailable',
      `${what} found no identity to authenticate with (${redact(error.message, call.value)}): in Azure enable the Function App's managed identity (and set AZURE_CLIENT_ID for a user-assigned one); elsewhere sign in with the Azure CLI or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET`,
    );
  }
  if (error.name === TOKEN_REFUSED) {
    const { statusCode } = error as AuthenticationError;
    const transient = statusCode === 0 || statusCode === 408 || statusCode === 429 || statusCode >= 500;
    const detail = redact(error.message, call.value);
    return transient
      ? new KeyVaultError(
          'Unavailable',
          `${what} could not get a token: the identity endpoint answered ${statusCode} (${detail})`,
        )
      : new KeyVaultError('AccessDenied', `${what} could not get a token: the identity endpoint refused (${detail})`);
  }
  return null;
}

function serviceError(shape: RestErrorShape): { code: string; message: string; innerCode: string } {
  const body = shape.details?.error;
  return {
    code: text(body?.code) || text(shape.code),
    // Key Vault writes multi-line messages; one line reads better in logs.
    message: text(body?.message).replace(/\s+/g, ' ').trim(),
    innerCode: text(body?.innerError?.code),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Leaves out text that quotes the value (the service never should; this makes sure). */
function redact(detail: string, value: string | undefined): string {
  if (!value) return detail;
  const flattened = value.replace(/\s+/g, ' ').trim();
  return detail.includes(value) || (flattened !== '' && detail.includes(flattened))
    ? '(detail withheld: it quoted the value)'
    : detail;
}
