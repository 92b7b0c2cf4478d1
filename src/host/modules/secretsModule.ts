import { ContainerModule } from 'inversify';
import { createKeyVaultSecretClient } from '../../adapters/key-vault/createKeyVaultSecretClient';
import { KeyVaultSecretStore } from '../../adapters/key-vault/KeyVaultSecretStore';
import { EnvSecretStore } from '../../adapters/secrets/EnvSecretStore';
import { FileSecretStore } from '../../adapters/secrets/FileSecretStore';
import { type AzureAccess, defaultAzureAccess } from '../azureAccess';
import { type Config, requiredSetting } from '../config';
import { TYPES } from '../identifiers';

/** The SecretStore chosen by SECRET_STORE. */
export function secretsModule(
  config: Config,
  env: NodeJS.ProcessEnv,
  azure: AzureAccess = defaultAzureAccess(),
): ContainerModule {
  return new ContainerModule(({ bind }) => {
    switch (config.SECRET_STORE) {
      case 'env':
        bind(TYPES.SecretStore).toConstantValue(new EnvSecretStore(env));
        break;
      case 'file':
        bind(TYPES.SecretStore).toConstantValue(new FileSecretStore(config.secretsFile));
        break;
      case 'key-vault': {
        // The identity every Azure client uses (see azureAccess.ts).
        const client = createKeyVaultSecretClient(requiredSetting(config, 'KEY_VAULT_URL'), azure.credential());
        bind(TYPES.SecretStore).toConstantValue(new KeyVaultSecretStore(client));
        break;
      }
    }
  });
}
