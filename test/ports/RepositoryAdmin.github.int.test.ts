import { randomBytes } from 'node:crypto';
import { GitHubRepositoryAdmin } from '../../src/adapters/github/GitHubRepositoryAdmin';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';
import { describeRepositoryAdminContract } from './contracts/RepositoryAdmin.contract';

const RETRIES = 1;

describeRepositoryAdminContract('GitHub (Octokit against the GitHub-shaped peer)', async () => {
  const peer = await GitHubPeer.start();
  const admin = new GitHubRepositoryAdmin({
    baseUrl: peer.url,
    retries: RETRIES,
    retryBaseDelayMs: 10,
    maxRetryAfterSeconds: 1,
    requestTimeoutMs: 10_000,
  });
  let repo: GitRepo | undefined;
  let published = 0;
  const token = () => `ghp_${randomBytes(18).toString('hex')}`;
  return {
    admin,
    async publish(options = {}) {
      if (!repo) {
        repo = await GitRepo.create();
        await repo.write('README.md', '# scripts\n');
        await repo.commit('first');
      }
      published += 1;
      const repository = `contract-owner/repo-${published}`;
      const own = token();
      peer.addRepository(repository, repo, {
        token: own,
        ...(options.private === undefined ? {} : { private: options.private }),
        ...(options.permissions ? { permissions: options.permissions } : {}),
        ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
      });
      return { repository, token: own };
    },
    async outsider() {
      const outsider = token();
      peer.addToken(outsider);
      return outsider;
    },
    async revoke(revoked) {
      peer.revokeToken(revoked);
    },
    async webhooks(repository) {
      return peer.webhooks(repository).map((hook) => ({
        id: hook.id,
        url: hook.config.url,
        contentType: hook.config.content_type,
        insecureSsl: hook.config.insecure_ssl,
        events: [...hook.events],
        active: hook.active,
        secret: hook.config.secret,
      }));
    },
    async breakGitHub(code) {
      peer.injectFault(
        code === 'Unavailable'
          ? { kind: 'status', status: 502, times: 100 }
          : { kind: 'rate-limit', retryAfterSeconds: 120, times: 100 },
      );
    },
    async cleanup() {
      await peer.stop();
      await repo?.dispose();
    },
  };
});
