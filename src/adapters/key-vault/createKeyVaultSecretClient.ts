import type { TokenCredential } from '@azure/identity';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';

/**
 * Retries that fit a webhook's 10 s answer budget: two more tries after waits of at most 0.5 s and
 * 1 s (the SDK's default is three, from 0.8 s doubling). Throttled answers (429, or 503 with
 * Retry-After) wait as long as the service asks, within the same count.
 */
const RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 4_000 } as const;

/** A SecretClient for the vault at `vaultUrl` (https://<name>.vault.azure.net). */
export function createKeyVaultSecretClient(
  vaultUrl: string,
  credential: TokenCredential,
  options: SecretClientOptions = {},
): SecretClient {
  // Loaded on first use: a service on the file or environment secret store never pays for the SDK.
  const { SecretClient } = require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets');
  return new SecretClient(vaultUrl, credential, {
    ...options,
    retryOptions: { ...RETRY_OPTIONS, ...options.retryOptions },
  });
}
