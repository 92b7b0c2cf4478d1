import { Fault } from '../../ports/Fault';

/**
 * `Unavailable`: no answer, timeout, throttling or 5xx (retryable). `AccessDenied`: the vault refused
 * the identity (401/403). `IdentityUnavailable`: no Azure identity could get a token at all.
 * `Rejected`: any other refusal (bad request, disabled secret, unexpected 404). `InvalidName`: a name
 * Key Vault cannot hold, refused before any request.
 */
export type KeyVaultErrorCode = 'Unavailable' | 'AccessDenied' | 'IdentityUnavailable' | 'Rejected' | 'InvalidName';

/**
 * A Key Vault fault. Its message never holds a secret value, and it keeps no `cause`: the SDK's
 * errors carry the request (a set's body is the value) and the response (a get's body is the value).
 */
export class KeyVaultError extends Fault<KeyVaultErrorCode> {
  constructor(
    code: KeyVaultErrorCode,
    message: string,
    readonly status?: number,
  ) {
    // Callers answer retryable faults with 503 and retry syncs later.
    super(code, message, { retryable: code === 'Unavailable' });
    this.name = 'KeyVaultError';
  }
}
