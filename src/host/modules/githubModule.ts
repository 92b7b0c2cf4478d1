import { ContainerModule } from 'inversify';
import { GitHubRepositoryAdmin } from '../../adapters/github/GitHubRepositoryAdmin';
import { GitHubSourceRepositoryFactory } from '../../adapters/github/GitHubSourceRepositoryFactory';
import { OctokitSignatureVerifier } from '../../adapters/webhooks/OctokitSignatureVerifier';
import type { Config } from '../config';
import { TYPES } from '../identifiers';

/** GitHub access (REST base URL from GITHUB_API_URL) and webhook signature checks. */
export function githubModule(config: Config): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TYPES.SourceRepositoryFactory)
      .toResolvedValue(
        (logger) =>
          new GitHubSourceRepositoryFactory({
            baseUrl: config.GITHUB_API_URL,
            logger,
            retries: config.GITHUB_RETRIES,
            maxRetryAfterSeconds: config.GITHUB_MAX_RETRY_AFTER_SECONDS,
          }),
        [TYPES.Logger],
      )
      .inSingletonScope();
    bind(TYPES.RepositoryAdmin)
      .toResolvedValue(
        (logger) =>
          new GitHubRepositoryAdmin({ baseUrl: config.GITHUB_API_URL, logger, retries: config.GITHUB_RETRIES }),
        [TYPES.Logger],
      )
      .inSingletonScope();
    bind(TYPES.SignatureVerifier).toConstantValue(new OctokitSignatureVerifier());
  });
}
