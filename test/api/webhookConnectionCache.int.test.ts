import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/domain/shared/Scope';
import { TYPES } from '../../src/host/identifiers';
import { ApiHarness } from '../support/apiHarness';
import { connectionsUrl, pushPayload, signedPushHeaders } from './connectionApi';
import { orgHeader } from './workspaceApi';

/**
 * The webhook's connection look-up is cached (CONNECTION_CACHE_SECONDS). Here entries live 5 minutes (longer than the test),
 * so that only its invalidation can make a change visible: every path that changes a connection in
 * this process must make the very next delivery see it.
 */
describe('webhook connection cache: every change is seen by the next delivery', () => {
  let api: ApiHarness;
  let editor: string;
  const ORGS = ['org-cache-connect', 'org-cache-patch', 'org-cache-delete', 'org-cache-rename', 'org-cache-branch'];

  const create = (scope: string, repository: string) =>
    api.call('POST', connectionsUrl(), {
      token: editor,
      json: { repository, branch: 'main', token: api.githubToken },
      headers: orgHeader(scope),
    });
  const hookSecret = (repository: string) => api.peer.webhooks(repository)[0]!.config.secret!;
  const push = (
    scope: string,
    secret: string,
    repository: string,
    before: string,
    after: string,
    repositoryId = api.peer.repositoryId(repository),
  ) => {
    const body = pushPayload(repository, 'main', before, after, repositoryId);
    return api.call('POST', `/api/github/webhook/${scope}`, {
      token: null,
      body,
      headers: signedPushHeaders(secret, body),
    });
  };
  const looked = (scope: string) => api.host.container.get(TYPES.ConnectionLookup).getConnection(scope as Scope);
  const connected = async (scope: string, repository: string) => {
    const repo = await api.repo(repository);
    await repo.write('a.ps1', 'a\n');
    const head = await repo.commit('first');
    expect((await create(scope, repository)).status).toBe(201);
    await api.idle();
    return { repo, head, secret: hookSecret(repository) };
  };

  beforeAll(async () => {
    api = await ApiHarness.start({ CONNECTION_CACHE_SECONDS: '300' });
    editor = await api.orgUser(ORGS, { editor: true });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('connect: a scope looked up while unknown answers its first ping and push', async () => {
    const unknown = await push(
      'org-cache-connect',
      'any secret',
      'acme/cache-connect',
      'a'.repeat(40),
      'b'.repeat(40),
      1,
    );
    expect([unknown.status, unknown.json.error]).toEqual([404, 'UnknownScope']);
    const { repo, head, secret } = await connected('org-cache-connect', 'acme/cache-connect');
    expect(api.peer.hookDeliveries('acme/cache-connect')).toEqual([
      expect.objectContaining({ event: 'ping', statusCode: 200 }),
    ]);
    await repo.write('b.ps1', 'b\n');
    expect(
      (await push('org-cache-connect', secret, 'acme/cache-connect', head, await repo.commit('second'))).status,
    ).toBe(202);
  });

  it('update: disabling and enabling again is seen by the next delivery', async () => {
    const { head, secret } = await connected('org-cache-patch', 'acme/cache-patch');
    expect((await push('org-cache-patch', secret, 'acme/cache-patch', 'a'.repeat(40), head)).status).toBe(202);
    await api.idle(); // a change waits for the scope's sync
    expect(
      (await api.call('PATCH', connectionsUrl('org-cache-patch'), { token: editor, json: { enabled: false } })).status,
    ).toBe(200);
    const ignored = await push('org-cache-patch', secret, 'acme/cache-patch', 'a'.repeat(40), head);
    expect([ignored.status, ignored.json.ignored]).toEqual([200, 'the connection is disabled']);
    expect(
      (await api.call('PATCH', connectionsUrl('org-cache-patch'), { token: editor, json: { enabled: true } })).status,
    ).toBe(200);
    await api.idle();
    expect((await push('org-cache-patch', secret, 'acme/cache-patch', 'a'.repeat(40), head)).status).toBe(202);
  });

  it('disconnect: the next delivery finds no connection', async () => {
    const { head, secret } = await connected('org-cache-delete', 'acme/cache-delete');
    expect((await push('org-cache-delete', secret, 'acme/cache-delete', 'a'.repeat(40), head)).status).toBe(202);
    await api.idle();
    expect((await api.call('DELETE', connectionsUrl('org-cache-delete'), { token: editor })).status).toBe(200);
    const gone = await push('org-cache-delete', secret, 'acme/cache-delete', 'a'.repeat(40), head);
    expect([gone.status, gone.json.error]).toEqual([404, 'UnknownScope']);
  });

  it('a rename noted from a webhook is what the next delivery compares with', async () => {
    const { repo, head, secret } = await connected('org-cache-rename', 'acme/cache-before');
    expect((await looked('org-cache-rename'))?.repository).toBe('acme/cache-before');
    api.peer.renameRepository('acme/cache-before', 'acme/cache-after');
    await repo.write('b.ps1', 'b\n');
    const second = await repo.commit('second');
    expect((await push('org-cache-rename', secret, 'acme/cache-after', head, second)).status).toBe(202);
    expect((await looked('org-cache-rename'))?.repository).toBe('acme/cache-after');
    // Another repository now under the old name: compared with the new name, it is not ours.
    const ignored = await push('org-cache-rename', secret, 'acme/cache-before', head, second, 999_999);
    expect([ignored.status, ignored.json.ignored]).toEqual([
      200,
      'push to acme/cache-before, connection is to acme/cache-after',
    ]);
  });

  it('a deleted branch noted from a webhook is seen by the next look-up', async () => {
    const { head, secret } = await connected('org-cache-branch', 'acme/cache-branch');
    expect((await looked('org-cache-branch'))?.branchDeletedAt).toBeUndefined();
    const deleted = await push('org-cache-branch', secret, 'acme/cache-branch', head, '0'.repeat(40));
    expect(deleted.status).toBe(200);
    expect(deleted.json.branch).toBe('main');
    expect((await looked('org-cache-branch'))?.branchDeletedAt).toBeInstanceOf(Date);
  });

  it('answers match the API description', () => {
    expect(api.violations).toEqual([]);
  });
});
