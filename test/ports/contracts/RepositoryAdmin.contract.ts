import { afterEach, describe, expect, it } from 'vitest';
import type { RepositoryAdmin, RepositoryPermissions } from '../../../src/ports/RepositoryAdmin';
import { SourceError, type SourceErrorCode } from '../../../src/ports/SourceRepository';

/** A webhook as the repository holds it, secret included (GitHub itself never shows it back). */
interface StoredWebhook {
  readonly id: number;
  readonly url: string;
  readonly contentType: string;
  readonly insecureSsl: string;
  readonly events: readonly string[];
  readonly active: boolean;
  readonly secret: string | undefined;
}

interface PublishOptions {
  /** Default: pull, push and admin. */
  readonly permissions?: RepositoryPermissions;
  readonly private?: boolean;
  /** Default 'main'. */
  readonly defaultBranch?: string;
}

/** Repositories and tokens behind an adapter, whatever the adapter talks to. */
export interface RepositoryAdminFixture {
  readonly admin: RepositoryAdmin;
  /** A new repository that only the returned (fresh) token can see, with `permissions` for it. */
  publish(options?: PublishOptions): Promise<{ readonly repository: string; readonly token: string }>;
  /** A token GitHub accepts that sees none of the published repositories. */
  outsider(): Promise<string>;
  /** Makes the token invalid (GitHub would answer 401). */
  revoke(token: string): Promise<void>;
  webhooks(repository: string): Promise<readonly StoredWebhook[]>;
  /**
   * From now on GitHub fails: 'Unavailable' answers server errors (more than the adapter retries),
   * 'RateLimited' answers a rate limit with a wait longer than the adapter waits out.
   */
  breakGitHub(code: Extract<SourceErrorCode, 'Unavailable' | 'RateLimited'>): Promise<void>;
  cleanup(): Promise<void>;
}

async function failureOf(promise: Promise<unknown>): Promise<SourceError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(SourceError);
  return outcome as SourceError;
}

const READ_ONLY: RepositoryPermissions = { pull: true, push: false, admin: false };
const HOOK_URL = 'https://sync.example.com/api/github/webhook/org-1';

/** What every RepositoryAdmin must do; `makeFixture` is called once per test. */
export function describeRepositoryAdminContract(
  name: string,
  makeFixture: () => Promise<RepositoryAdminFixture>,
): void {
  describe(`RepositoryAdmin contract: ${name}`, () => {
    let fixtures: RepositoryAdminFixture[] = [];
    const open = async (): Promise<RepositoryAdminFixture> => {
      const fixture = await makeFixture();
      fixtures.push(fixture);
      return fixture;
    };
    afterEach(async () => {
      for (const fixture of fixtures) await fixture.cleanup();
      fixtures = [];
    });

    describe('inspect', () => {
      it("reports the id, name, default branch, visibility and the token's permissions", async () => {
        const f = await open();
        const locked = await f.publish({ permissions: READ_ONLY, private: true, defaultBranch: 'trunk' });
        const lockedDetails = await f.admin.inspect(locked);
        expect(lockedDetails).toEqual({
          id: expect.any(Number),
          fullName: locked.repository,
          defaultBranch: 'trunk',
          private: true,
          permissions: READ_ONLY,
        });
        const owned = await f.publish();
        const ownedDetails = await f.admin.inspect(owned);
        expect(ownedDetails).toEqual({
          id: expect.any(Number),
          fullName: owned.repository,
          defaultBranch: 'main',
          private: false,
          permissions: { pull: true, push: true, admin: true },
        });
        // GitHub's repository id: a positive integer, one per repository, the same on every read.
        expect(Number.isSafeInteger(ownedDetails.id) && ownedDetails.id > 0).toBe(true);
        expect(ownedDetails.id).not.toBe(lockedDetails.id);
        expect((await f.admin.inspect(owned)).id).toBe(ownedDetails.id);
      });

      it('answers NotFound for a repository the token cannot see, and for one that does not exist', async () => {
        const f = await open();
        const published = await f.publish({ private: true });
        const outsider = await f.outsider();
        const hidden = await failureOf(f.admin.inspect({ repository: published.repository, token: outsider }));
        expect(hidden).toMatchObject({ code: 'NotFound', retryable: false });
        expect(hidden.message).not.toContain(outsider);
        await expect(
          f.admin.inspect({ repository: `${published.repository}-missing`, token: published.token }),
        ).rejects.toMatchObject({ code: 'NotFound' });
        await expect(f.admin.inspect({ repository: 'not a repository', token: published.token })).rejects.toMatchObject(
          { code: 'NotFound' },
        );
      });

      it('answers Unauthorized for a revoked token and for no token at all (never reading anonymously)', async () => {
        const f = await open();
        const published = await f.publish();
        await expect(f.admin.inspect({ repository: published.repository, token: '' })).rejects.toMatchObject({
          code: 'Unauthorized',
        });
        await f.revoke(published.token);
        const revoked = await failureOf(f.admin.inspect(published));
        expect(revoked).toMatchObject({ code: 'Unauthorized', retryable: false });
        expect(revoked.message).not.toContain(published.token);
      });

      it('reports an unreachable GitHub as Unavailable, retryable', async () => {
        const f = await open();
        const published = await f.publish();
        await f.breakGitHub('Unavailable');
        await expect(f.admin.inspect(published)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
      });

      it('reports a rate limit as RateLimited with the wait', async () => {
        const f = await open();
        const published = await f.publish();
        await f.breakGitHub('RateLimited');
        const limited = await failureOf(f.admin.inspect(published));
        expect(limited).toMatchObject({ code: 'RateLimited', retryable: true });
        expect(limited.retryAfterMs).toBeGreaterThan(0);
      });
    });

    describe('webhooks', () => {
      it('registers an active push webhook with JSON payloads, verified TLS and the secret', async () => {
        const f = await open();
        const published = await f.publish();
        const { id } = await f.admin.createWebhook(published, { url: HOOK_URL, secret: 's3cret-1' });
        expect(Number.isSafeInteger(id) && id > 0).toBe(true);
        expect(await f.webhooks(published.repository)).toEqual([
          {
            id,
            url: HOOK_URL,
            contentType: 'json',
            insecureSsl: '0',
            events: ['push'],
            active: true,
            secret: 's3cret-1',
          },
        ]);
      });

      it('registering the same URL again updates that webhook with the new secret instead of failing', async () => {
        const f = await open();
        const published = await f.publish();
        const first = await f.admin.createWebhook(published, { url: HOOK_URL, secret: 'old' });
        const again = await f.admin.createWebhook(published, { url: HOOK_URL, secret: 'new' });
        expect(again.id).toBe(first.id);
        expect((await f.webhooks(published.repository)).map((hook) => [hook.id, hook.secret])).toEqual([
          [first.id, 'new'],
        ]);
        const other = await f.admin.createWebhook(published, { url: `${HOOK_URL}-2`, secret: 'x' });
        expect(other.id).not.toBe(first.id);
        expect(await f.webhooks(published.repository)).toHaveLength(2);
      });

      it('refuses without admin rights (GitHub hides hooks behind NotFound) and stores nothing', async () => {
        const f = await open();
        const published = await f.publish({ permissions: READ_ONLY });
        const refused = await failureOf(f.admin.createWebhook(published, { url: HOOK_URL, secret: 's' }));
        expect(refused).toMatchObject({ code: 'NotFound', retryable: false });
        expect(await f.webhooks(published.repository)).toEqual([]);
      });

      it('deletes a webhook, and deleting one that is already gone is fine', async () => {
        const f = await open();
        const published = await f.publish();
        const kept = await f.admin.createWebhook(published, { url: `${HOOK_URL}-kept`, secret: 'k' });
        const { id } = await f.admin.createWebhook(published, { url: HOOK_URL, secret: 's' });
        await f.admin.deleteWebhook(published, id);
        expect((await f.webhooks(published.repository)).map((hook) => hook.id)).toEqual([kept.id]);
        await f.admin.deleteWebhook(published, id);
        expect((await f.webhooks(published.repository)).map((hook) => hook.id)).toEqual([kept.id]);
      });

      it('fails deleting with a revoked token, and on an unreachable GitHub (retryable)', async () => {
        const f = await open();
        const published = await f.publish();
        const { id } = await f.admin.createWebhook(published, { url: HOOK_URL, secret: 's' });
        await f.breakGitHub('Unavailable');
        await expect(f.admin.deleteWebhook(published, id)).rejects.toMatchObject({
          code: 'Unavailable',
          retryable: true,
        });
        const g = await open();
        const other = await g.publish();
        const hook = await g.admin.createWebhook(other, { url: HOOK_URL, secret: 's' });
        await g.revoke(other.token);
        await expect(g.admin.deleteWebhook(other, hook.id)).rejects.toMatchObject({ code: 'Unauthorized' });
        expect(await g.webhooks(other.repository)).toHaveLength(1);
      });
    });
  });
}
