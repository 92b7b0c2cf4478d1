import 'reflect-metadata';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { KeyVaultSecretStore } from '../../src/adapters/key-vault/KeyVaultSecretStore';
import { ConfigError, loadConfig } from '../../src/host/config';
import { TYPES } from '../../src/host/identifiers';
import { secretsModule } from '../../src/host/modules/secretsModule';
import type { SecretStore } from '../../src/ports/SecretStore';

const VAULT = 'https://wsync-kv.vault.azure.net';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/srv/app');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('Key Vault configuration', () => {
  it('takes SECRET_STORE=key-vault with a vault URL', () => {
    const config = loadConfig({ SECRET_STORE: 'key-vault', KEY_VAULT_URL: VAULT }, '/srv/app');
    expect(config).toMatchObject({ SECRET_STORE: 'key-vault', KEY_VAULT_URL: VAULT });
  });

  it('stops start-up when the vault URL is missing, naming the setting', () => {
    expect(problemsOf({ SECRET_STORE: 'key-vault' })).toEqual([
      expect.stringMatching(/^KEY_VAULT_URL: required when SECRET_STORE=key-vault/),
    ]);
  });

  it('refuses a vault URL that is not a URL, or not https', () => {
    expect(problemsOf({ SECRET_STORE: 'key-vault', KEY_VAULT_URL: 'wsync-kv' })).toEqual([
      expect.stringMatching(/^KEY_VAULT_URL: /),
    ]);
    expect(problemsOf({ SECRET_STORE: 'key-vault', KEY_VAULT_URL: 'http://wsync-kv.vault.azure.net' })).toEqual([
      expect.stringMatching(/^KEY_VAULT_URL: must be an https URL/),
    ]);
  });

  it('reports the vault URL together with other problems', () => {
    const problems = problemsOf({
      SECRET_STORE: 'key-vault',
      AUTH_MODE: 'entra',
      AUTH_TENANT_ID: 'contoso.onmicrosoft.com',
      PUBLIC_BASE_URL: 'https://sync.example.com',
    });
    expect(problems).toEqual([expect.stringMatching(/^AUTH_AUDIENCE:/), expect.stringMatching(/^KEY_VAULT_URL:/)]);
  });

  it('ignores KEY_VAULT_URL for the other stores', () => {
    expect(loadConfig({ SECRET_STORE: 'file' }, '/srv/app').KEY_VAULT_URL).toBeUndefined();
    expect(problemsOf({ SECRET_STORE: 'env', KEY_VAULT_URL: VAULT })).toEqual([]);
  });

  it('binds the Key Vault store for SECRET_STORE=key-vault', () => {
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(secretsModule(loadConfig({ SECRET_STORE: 'key-vault', KEY_VAULT_URL: VAULT }, '/srv/app'), {}));
    expect(container.get<SecretStore>(TYPES.SecretStore)).toBeInstanceOf(KeyVaultSecretStore);
  });
});
