import { ContainerModule } from 'inversify';
import { createKeyVaultSecretClient } from '../../adapters/key-vault/createKeyVaultSecretClient';
import { KeyVaultSecretStore } from '../../adapters/key-vault/KeyVaultSecretStore';
import { EnvSecretStore } from '../../adapters/secrets/EnvSecretStore';
import { FileSecretStore } from '../../adapters/secrets/FileSecretStore';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** The SecretStore chosen by SECRET_STORE. */
export function secretsModule(config: Config, env: NodeJS.ProcessEnv): ContainerModule {
  return new ContainerModule(({ bind }) => {
    switch (config.SECRET_STORE) {
      case 'env':
        bind(TYPES.SecretStore).toConstantValue(new EnvSecretStore(env));
        break;
      case 'file':
        bind(TYPES.SecretStore).toConstantValue(new FileSecretStore(config.secretsFile));
        break;
      case 'key-vault': {
        // In Azure this is the Function App's managed identity (system-assigned, or the user-assigned
        // one whose client id AZURE_CLIENT_ID holds); locally, the Azure CLI login or AZURE_* variables.
        // Loaded only here: the identity library adds ~180 ms to every start that other stores do not need.
        const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
        const client = createKeyVaultSecretClient(config.KEY_VAULT_URL!, new DefaultAzureCredential());
        bind(TYPES.SecretStore).toConstantValue(new KeyVaultSecretStore(client));
        break;
      }
    }
  });
}
