import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/createGitHubClient';
import { silentLogger } from '../../../src/adapters/github/silentLogger';
import { GitHubPeer } from '../../support/githubPeer';
import { GitRepo } from '../../support/gitRepo';

/** The client's own request hook (retries, bound on requests in flight), against the GitHub peer. */
describe('createGitHubClient', () => {
  const token = `ghp_${randomBytes(18).toString('hex')}`;
  let peer: GitHubPeer;
  let repo: GitRepo;

  beforeAll(async () => {
    peer = await GitHubPeer.start();
    repo = await GitRepo.create();
    await repo.write('a.txt', 'a\n');
    await repo.commit('one');
    peer.addRepository('acme/bounded', repo, { token });
  });

  afterAll(async () => {
    await peer?.stop();
    await repo?.dispose();
  });

  const settings = () => ({
    baseUrl: peer.url,
    userAgent: 'workspace-sync-test',
    logger: silentLogger,
    retries: 2,
    maxRetryAfterSeconds: 5,
    retryBaseDelayMs: 10,
  });

  it('keeps at most 10 requests of one token in flight, and answers every one', async () => {
    peer.injectFault({ kind: 'delay', ms: 150, times: 25 });
    let inFlight = 0;
    let most = 0;
    // Octokit's own injection point; every request still goes to the peer over a socket.
    const countingFetch: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const client = createGitHubClient(token, settings());
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        client.request('GET /repos/{owner}/{repo}', {
          owner: 'acme',
          repo: 'bounded',
          request: { fetch: countingFetch },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(25).fill(200));
    expect(most).toBe(10);
  });

  it('does not retry an answer that does not heal (404)', async () => {
    peer.resetRequests();
    const client = createGitHubClient(token, settings());
    await expect(client.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'missing' })).rejects.toMatchObject(
      {
        status: 404,
      },
    );
    expect(peer.requests.filter((request) => request.path === '/repos/acme/missing')).toHaveLength(1);
  });
});
