import { type SecretStore, SecretStoreReadOnlyError } from '../../ports/SecretStore';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Secrets from environment variables: the reference is the variable name. Read-only (no set, no
 * delete), because a running process cannot change what its next start is given. An empty variable
 * counts as unset.
 */
export class EnvSecretStore implements SecretStore {
  constructor(private readonly env: Environment = process.env) {}

  async get(ref: string): Promise<string | null> {
    if (!Object.hasOwn(this.env, ref)) return null;
    const value = this.env[ref];
    return typeof value === 'string' && value !== '' ? value : null;
  }

  async set(name: string, _value: string): Promise<string> {
    // Never echo the value: error messages end up in logs and run records.
    throw new SecretStoreReadOnlyError(
      `EnvSecretStore is read-only: secret '${name}' cannot be stored; set it as an environment variable ` +
        'or configure a writable secret store (local file or Key Vault)',
    );
  }

  locate(ref: string): string {
    return `environment variable ${ref} (SECRET_STORE=env)`;
  }

  async delete(ref: string): Promise<void> {
    throw new SecretStoreReadOnlyError(
      `EnvSecretStore is read-only: secret '${ref}' cannot be deleted; unset the environment variable instead`,
    );
  }
}
