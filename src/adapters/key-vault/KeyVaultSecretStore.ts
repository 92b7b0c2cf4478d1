import type { SecretClient } from '@azure/keyvault-secrets';
import type { SecretStore } from '../../ports/SecretStore';
import { KeyVaultError } from './KeyVaultError';
import { isSecretNotFound, keyVaultFault } from './keyVaultFault';
import { isKeyVaultSecretName } from './keyVaultSecretName';

/**
 * Secrets in Azure Key Vault. The reference is the secret's name, so `get` always reads the latest
 * version and a later `set` (a rotation) takes effect everywhere. Nothing is cached: a rotated
 * webhook secret counts from the next delivery. Faults are KeyVaultErrors (retryable when the vault
 * is unreachable, throttled or failing) whose messages never hold a value.
 */
export class KeyVaultSecretStore implements SecretStore {
  constructor(private readonly client: SecretClient) {}

  async get(ref: string): Promise<string | null> {
    // Only such names can exist in a vault, so any other reference resolves to nothing without a
    // round trip; arbitrary text (a '/', an environment variable name from another store) never
    // reaches the URL path, where the service would answer 400 BadParameter instead.
    if (!isKeyVaultSecretName(ref)) return null;
    try {
      const secret = await this.client.getSecret(ref);
      return secret.value ?? null;
    } catch (error) {
      if (isSecretNotFound(error)) return null;
      throw keyVaultFault(error, { operation: 'get', name: ref, vaultUrl: this.client.vaultUrl });
    }
  }

  async set(name: string, value: string): Promise<string> {
    if (!isKeyVaultSecretName(name)) {
      throw new KeyVaultError('InvalidName', `'${name}' cannot name a Key Vault secret: use 1 to 127 letters, digits and dashes`);
    }
    try {
      await this.client.setSecret(name, value);
      return name;
    } catch (error) {
      throw keyVaultFault(error, { operation: 'set', name, vaultUrl: this.client.vaultUrl, value });
    }
  }
}
