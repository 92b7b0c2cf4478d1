import { createGitHubClient, type GitHubClient, type GitHubClientSettings } from './createGitHubClient';

/**
 * One Octokit (and its bound on requests in flight) per token, least recently used dropped first:
 * installation tokens rotate hourly, so the cache is bounded.
 */
export class GitHubClientCache {
  private readonly clients = new Map<string, GitHubClient>();

  constructor(
    private readonly settings: GitHubClientSettings,
    private readonly capacity = 64,
  ) {}

  clientFor(token: string): GitHubClient {
    const cached = this.clients.get(token);
    if (cached) {
      // Re-insert so the Map's insertion order doubles as least-recently-used order.
      this.clients.delete(token);
      this.clients.set(token, cached);
      return cached;
    }
    const client = createGitHubClient(token, this.settings);
    this.clients.set(token, client);
    if (this.clients.size > this.capacity) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }
}
