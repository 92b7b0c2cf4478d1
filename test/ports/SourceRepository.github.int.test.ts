import { randomBytes } from 'node:crypto';
import { GitHubSourceRepositoryFactory } from '../../src/adapters/github/GitHubSourceRepositoryFactory';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';
import { describeSourceRepositoryContract } from './contracts/SourceRepository.contract';

describeSourceRepositoryContract('GitHub (Octokit against the GitHub-shaped peer)', async () => {
  const peer = await GitHubPeer.start();
  const factory = new GitHubSourceRepositoryFactory({
    baseUrl: peer.url,
    retryBaseDelayMs: 20,
    requestTimeoutMs: 10_000,
  });
  const repos: GitRepo[] = [];
  let published = 0;
  return {
    factory,
    async publish(files, opts) {
      published += 1;
      const repo = await GitRepo.create();
      repos.push(repo);
      for (const file of files) {
        if (file.symlinkTo !== undefined) await repo.symlink(file.path, file.symlinkTo);
        else await repo.write(file.path, file.content ?? '', { executable: file.executable === true });
      }
      const commitSha = await repo.commit('publish');
      const branch = opts?.branch ?? 'main';
      if (branch !== 'main') await repo.createBranch(branch);
      const repository = `contract-owner/repo-${published}`;
      // One token per repository, and only it may see the repository (as for a private one).
      const token = `ghp_${randomBytes(18).toString('hex')}`;
      peer.addRepository(repository, repo, { token });
      return { repository, token, commitSha };
    },
    async revoke(token) {
      peer.revokeToken(token);
    },
    async cleanup() {
      await peer.stop();
      await Promise.all(repos.map((repo) => repo.dispose()));
    },
  };
});
