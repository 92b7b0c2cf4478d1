import { isValidRepository } from '../../src/domain/connections/Connection';
import type {
  RepositoryAdmin,
  RepositoryDetails,
  RepositoryPermissions,
  WebhookTarget,
} from '../../src/ports/RepositoryAdmin';
import { SourceError, type SourceErrorCode, type SourceLocation } from '../../src/ports/SourceRepository';

/** A webhook as the repository stores it. */
export interface InMemoryWebhook {
  readonly id: number;
  readonly url: string;
  readonly contentType: 'json';
  readonly insecureSsl: '0';
  readonly events: readonly string[];
  readonly active: boolean;
  readonly secret: string;
}

interface RepositoryState {
  readonly id: number;
  fullName: string;
  readonly defaultBranch: string;
  readonly private: boolean;
  /** Token -> what it may do; tokens not listed see 404. */
  readonly access: Map<string, RepositoryPermissions>;
  readonly webhooks: InMemoryWebhook[];
}

export type AdminOperation = 'inspect' | 'createWebhook' | 'deleteWebhook';

interface Fault {
  readonly code: SourceErrorCode;
  readonly operation: AdminOperation | undefined;
  remaining: number;
}

const FULL_ACCESS: RepositoryPermissions = { pull: true, push: true, admin: true };

/**
 * GitHub's repository administration in memory, for unit tests: 404 for repositories a token cannot
 * see and for hooks without admin rights, 401 for unknown tokens, one push hook per URL, faults.
 */
export class InMemoryRepositoryAdmin implements RepositoryAdmin {
  private readonly repositories = new Map<string, RepositoryState>();
  private readonly validTokens = new Set<string>();
  private readonly faults: Fault[] = [];
  private nextHookId = 1;
  private nextRepositoryId = 1_296_269;
  private readonly hookListeners: Array<(hook: InMemoryWebhook, repository: string) => Promise<void>> = [];
  private requests = 0;

  /** Requests answered so far (failed ones included). */
  get requestCount(): number {
    return this.requests;
  }

  addRepository(fullName: string, options: { defaultBranch?: string; private?: boolean } = {}): void {
    if (!isValidRepository(fullName)) throw new Error(`'${fullName}' is not an owner/name repository`);
    this.repositories.set(fullName.toLowerCase(), {
      id: this.nextRepositoryId++,
      fullName,
      defaultBranch: options.defaultBranch ?? 'main',
      private: options.private ?? false,
      access: new Map(),
      webhooks: [],
    });
  }

  /** Makes `token` valid and lets it see `fullName` with `permissions` (default: everything). */
  grant(fullName: string, token: string, permissions: RepositoryPermissions = FULL_ACCESS): void {
    this.state(fullName).access.set(token, { ...permissions });
    this.validTokens.add(token);
  }

  /** A valid token that sees no repository yet. */
  addToken(token: string): void {
    this.validTokens.add(token);
  }

  revokeToken(token: string): void {
    this.validTokens.delete(token);
  }

  /** GitHub's id of the repository. */
  repositoryId(fullName: string): number {
    return this.state(fullName).id;
  }

  /** Renames a repository; its id, access and hooks stay. The old name is free (GitHub would redirect it). */
  rename(fullName: string, newFullName: string): void {
    if (!isValidRepository(newFullName)) throw new Error(`'${newFullName}' is not an owner/name repository`);
    const state = this.state(fullName);
    this.repositories.delete(fullName.toLowerCase());
    state.fullName = newFullName;
    this.repositories.set(newFullName.toLowerCase(), state);
  }

  /**
   * Calls `listener` for every hook created from now on, before `createWebhook` answers: GitHub pings
   * a new hook at once, and its creator may not have the answer yet.
   */
  onWebhookCreated(listener: (hook: InMemoryWebhook, repository: string) => Promise<void>): void {
    this.hookListeners.push(listener);
  }

  webhooks(fullName: string): readonly InMemoryWebhook[] {
    return this.state(fullName).webhooks.map((hook) => ({ ...hook, events: [...hook.events] }));
  }

  /** The next `times` requests (of `operation`, default any) fail with `code`. */
  failNext(code: SourceErrorCode, times = 1, operation?: AdminOperation): void {
    this.faults.push({ code, operation, remaining: times });
  }

  async inspect(location: SourceLocation): Promise<RepositoryDetails> {
    const { state, permissions } = this.request('inspect', location);
    return {
      id: state.id,
      fullName: state.fullName,
      defaultBranch: state.defaultBranch,
      private: state.private,
      permissions: { ...permissions },
    };
  }

  async createWebhook(location: SourceLocation, target: WebhookTarget): Promise<{ readonly id: number }> {
    const { state } = this.request('createWebhook', location, { admin: true });
    const hook = (id: number): InMemoryWebhook => ({
      id,
      url: target.url,
      contentType: 'json',
      insecureSsl: '0',
      events: ['push'],
      active: true,
      secret: target.secret,
    });
    const existing = state.webhooks.findIndex(
      (candidate) => candidate.url === target.url && candidate.events.includes('push'),
    );
    if (existing !== -1) {
      const id = state.webhooks[existing]!.id;
      state.webhooks[existing] = hook(id);
      return { id };
    }
    const created = hook(this.nextHookId++);
    state.webhooks.push(created);
    for (const listener of this.hookListeners)
      await listener({ ...created, events: [...created.events] }, state.fullName);
    return { id: created.id };
  }

  async deleteWebhook(location: SourceLocation, id: number): Promise<void> {
    let state: RepositoryState;
    try {
      state = this.request('deleteWebhook', location, { admin: true }).state;
    } catch (error) {
      if (error instanceof SourceError && error.code === 'NotFound') return; // gone, or hidden: nothing we can do
      throw error;
    }
    const index = state.webhooks.findIndex((hook) => hook.id === id);
    if (index !== -1) state.webhooks.splice(index, 1);
  }

  private request(
    operation: AdminOperation,
    location: SourceLocation,
    needs: { admin?: boolean } = {},
  ): { state: RepositoryState; permissions: RepositoryPermissions } {
    this.requests += 1;
    const what = `${operation} on ${location.repository}`;
    const index = this.faults.findIndex((fault) => fault.operation === undefined || fault.operation === operation);
    const fault = index === -1 ? undefined : this.faults[index];
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.splice(index, 1);
      throw new SourceError(
        fault.code,
        `${what}: injected ${fault.code}`,
        fault.code === 'RateLimited' ? 60_000 : undefined,
      );
    }
    if (!isValidRepository(location.repository))
      throw new SourceError('NotFound', `'${location.repository}' is not an owner/name repository`);
    if (location.token === '' || !this.validTokens.has(location.token))
      throw new SourceError('Unauthorized', `${what}: the token is invalid, expired or revoked`);
    const state = this.repositories.get(location.repository.toLowerCase());
    const permissions = state?.access.get(location.token);
    // As on GitHub, what a token may not see (or, for hooks, may not administer) is a 404.
    if (!state || !permissions || (needs.admin && !permissions.admin))
      throw new SourceError('NotFound', `${what}: not found`);
    return { state, permissions };
  }

  private state(fullName: string): RepositoryState {
    const state = this.repositories.get(fullName.toLowerCase());
    if (!state) throw new Error(`no repository '${fullName}'; call addRepository first`);
    return state;
  }
}
