import { createHmac, randomUUID } from 'node:crypto';
import type { ApiAnswer, ApiCall, ApiHarness } from '../support/apiHarness';

/**
 * Calls through the harness and remembers every answer that carried one of the watched secrets
 * (GitHub tokens), in its body or its headers. A test asserts `leaks` empty at the end.
 */
export class SecretWatch {
  readonly leaks: string[] = [];
  private readonly secrets = new Set<string>();

  constructor(private readonly api: ApiHarness) {}

  watch(...secrets: string[]): void {
    for (const secret of secrets) this.secrets.add(secret);
  }

  async call(method: string, path: string, call: ApiCall): Promise<ApiAnswer> {
    const answer = await this.api.call(method, path, call);
    const text = `${[...answer.headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${answer.bytes.toString('utf8')}`;
    for (const secret of this.secrets) {
      if (text.includes(secret)) this.leaks.push(`${method} ${path} → ${answer.status} contains a GitHub token`);
    }
    return answer;
  }
}

/** What GitHub sends for a push to `branch` of `repository` (the fields the receiver reads, and a few more). */
export function pushPayload(
  repository: string,
  branch: string,
  before: string,
  after: string,
  repositoryId?: number,
): string {
  return JSON.stringify({
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: false,
    deleted: false,
    forced: false,
    commits: [],
    repository: {
      ...(repositoryId === undefined ? {} : { id: repositoryId }),
      full_name: repository,
      name: repository.split('/')[1],
      owner: { login: repository.split('/')[0] },
    },
  });
}

/** Headers of a signed push delivery, as GitHub sends them with the hook's JSON content type. */
export function signedPushHeaders(
  secret: string,
  body: string,
  deliveryId: string = randomUUID(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`,
  };
}

export const connectionsUrl = (scope?: string, action?: 'preview' | 'sync'): string =>
  `/api/github-connections${scope === undefined ? '' : `/${encodeURIComponent(scope)}`}${action === undefined ? '' : `/${action}`}`;

export function syncJobsUrl(query: Record<string, string | number> = {}): string {
  const search = new URLSearchParams(
    Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
  ).toString();
  return `/api/sync-jobs${search ? `?${search}` : ''}`;
}
