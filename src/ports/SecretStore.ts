import { Fault } from './Fault';

/** Secrets by reference (an environment variable name, a key in a local file, a Key Vault name). */
export interface SecretStore {
  /** The secret's value, or null when the reference resolves to nothing. */
  get(ref: string): Promise<string | null>;
  /** Stores a secret and returns the reference to keep; adapters that are read-only throw. */
  set(name: string, value: string): Promise<string>;
  /**
   * Removes the secret a reference names, so `get` answers null afterwards. A reference that holds
   * nothing is not an error. Read-only adapters throw SecretStoreReadOnlyError; a store with soft
   * delete (Key Vault) keeps the deleted secret recoverable for its retention period.
   */
  delete(ref: string): Promise<void>;
  /**
   * Where `get(ref)` looks, in words a person can act on (the variable, the file and key, the vault
   * and secret name), for messages about a missing secret. Names the reference, never a value.
   */
  locate(ref: string): string;
}

/** The configured store cannot take new secrets (environment variables): a deployment choice, so never retryable. */
export class SecretStoreReadOnlyError extends Fault<'SecretStoreReadOnly'> {
  constructor(message: string) {
    super('SecretStoreReadOnly', message, { retryable: false });
    this.name = 'SecretStoreReadOnlyError';
  }
}
