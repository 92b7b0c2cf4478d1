import { setTimeout as sleep } from 'node:timers/promises';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { SecretStore } from '../../ports/SecretStore';
import { KeyVaultError } from './KeyVaultError';
import { deletionConflict, isSecretNotFound, keyVaultFault } from './keyVaultFault';
import { isKeyVaultSecretName } from './keyVaultSecretName';

export interface KeyVaultSecretStoreOptions {
  /**
   * Waits before each further try of a set that meets a delete or recover of its name still under
   * way (a real vault settles within seconds); their count bounds the tries. About 7 s by default.
   */
  readonly busyWaitsMs?: readonly number[];
}

const BUSY_WAITS_MS: readonly number[] = [250, 500, 1_000, 2_000, 3_000];

/**
 * Secrets in Azure Key Vault. The reference is the secret's name, so `get` always reads the latest
 * version and a later `set` (a rotation) takes effect everywhere. Nothing is cached: a rotated
 * webhook secret counts from the next delivery. Faults are KeyVaultErrors (retryable when the vault
 * is unreachable, throttled or failing) whose messages never hold a value.
 *
 * Vaults soft-delete: `delete` moves a secret to the vault's deleted secrets, where it stays
 * recoverable for the retention period and keeps its name taken. A later `set` of that name (a scope
 * connected again) recovers it and writes the new value as its next version; nothing is purged.
 */
export class KeyVaultSecretStore implements SecretStore {
  private readonly busyWaitsMs: readonly number[];

  constructor(
    private readonly client: SecretClient,
    options: KeyVaultSecretStoreOptions = {},
  ) {
    this.busyWaitsMs = options.busyWaitsMs ?? BUSY_WAITS_MS;
  }

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
      throw new KeyVaultError(
        'InvalidName',
        `'${name}' cannot name a Key Vault secret: use 1 to 127 letters, digits and dashes`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      let conflict: ReturnType<typeof deletionConflict>;
      try {
        await this.client.setSecret(name, value);
        return name;
      } catch (error) {
        conflict = deletionConflict(error);
        if (conflict === null || attempt >= this.busyWaitsMs.length) {
          throw keyVaultFault(error, { operation: 'set', name, vaultUrl: this.client.vaultUrl, value });
        }
      }
      if (conflict === 'deleted' && (await this.recover(name))) continue;
      await sleep(this.busyWaitsMs[attempt]);
    }
  }

  locate(ref: string): string {
    const name = isKeyVaultSecretName(ref)
      ? `secret '${ref}'`
      : `'${ref}' (not a Key Vault secret name, so no such secret can exist)`;
    return `${name} in Key Vault ${this.client.vaultUrl} (SECRET_STORE=key-vault)`;
  }

  async delete(ref: string): Promise<void> {
    if (!isKeyVaultSecretName(ref)) return; // no such secret can exist (see get)
    try {
      // Resolves after the first poll: the DELETE, which starts the soft delete, and one look at the
      // deleted secret. Waiting for the deletion to settle (pollUntilDone, every 2 s) gains nothing:
      // from the DELETE on, getSecret answers 404.
      await this.client.beginDeleteSecret(ref);
    } catch (error) {
      if (isSecretNotFound(error)) return; // gone already
      if (deletionConflict(error) === 'busy') return; // another delete got there first
      throw keyVaultFault(error, { operation: 'delete', name: ref, vaultUrl: this.client.vaultUrl });
    }
  }

  /**
   * Starts bringing a soft-deleted secret back so its name can take a new version. No waiting for
   * the poller: a set while the recovery settles answers 409 ObjectIsBeingRecovered, which the set
   * loop waits out. False when the vault cannot start it yet (the delete still settling, another
   * recover under way).
   */
  private async recover(name: string): Promise<boolean> {
    try {
      await this.client.beginRecoverDeletedSecret(name);
      return true;
    } catch (error) {
      const status = (error as { statusCode?: unknown } | null)?.statusCode;
      if (isSecretNotFound(error) || status === 409) return false;
      throw keyVaultFault(error, { operation: 'recover', name, vaultUrl: this.client.vaultUrl });
    }
  }
}
