import { ContainerModule } from 'inversify';
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
    }
  });
}
