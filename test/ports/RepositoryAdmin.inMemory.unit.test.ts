import { InMemoryRepositoryAdmin } from '../doubles/InMemoryRepositoryAdmin';
import { describeRepositoryAdminContract } from './contracts/RepositoryAdmin.contract';

describeRepositoryAdminContract('in-memory', async () => {
  const admin = new InMemoryRepositoryAdmin();
  let published = 0;
  return {
    admin,
    async publish(options = {}) {
      published += 1;
      const repository = `acme/repo-${published}`;
      const token = `token-${published}`;
      admin.addRepository(repository, {
        ...(options.private === undefined ? {} : { private: options.private }),
        ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
      });
      admin.grant(repository, token, options.permissions);
      return { repository, token };
    },
    async outsider() {
      admin.addToken('outsider');
      return 'outsider';
    },
    async revoke(token) {
      admin.revokeToken(token);
    },
    async webhooks(repository) {
      return admin.webhooks(repository);
    },
    async breakGitHub(code) {
      admin.failNext(code, Number.POSITIVE_INFINITY);
    },
    async cleanup() {},
  };
});
