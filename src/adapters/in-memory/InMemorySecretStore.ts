import type { SecretStore } from '../../ports/SecretStore';

/** Secrets in a Map; the reference is the name. Pass a Map to share it between instances. */
export class InMemorySecretStore implements SecretStore {
  private readonly secrets: Map<string, string>;

  constructor(initial: Map<string, string> | Readonly<Record<string, string>> = {}) {
    this.secrets = initial instanceof Map ? initial : new Map(Object.entries(initial));
  }

  async get(ref: string): Promise<string | null> {
    return this.secrets.get(ref) ?? null;
  }

  async set(name: string, value: string): Promise<string> {
    if (name === '') throw new Error('a secret needs a non-empty name');
    this.secrets.set(name, value);
    return name;
  }

  locate(ref: string): string {
    return `'${ref}' in the in-memory secret store`;
  }

  async delete(ref: string): Promise<void> {
    this.secrets.delete(ref);
  }
}
