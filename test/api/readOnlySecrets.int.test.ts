import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';

/** A deployment whose secrets live in environment variables cannot connect scopes through the API. */
describe('connecting with a read-only secret store', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start({ SECRET_STORE: 'env' });
    const repo = await api.repo('acme/env-only');
    await repo.write('a.ps1', 'a\n');
    await repo.commit('a');
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('answers SecretStoreReadOnly with what to configure, and saves nothing', async () => {
    const admin = await api.admin();
    const answer = await api.call('POST', '/api/github-connections', {
      token: admin,
      headers: { 'x-organization-id': 'org-env' },
      json: { repository: 'acme/env-only', branch: 'main', token: api.githubToken },
    });
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({
      error: 'SecretStoreReadOnly',
      message: expect.stringContaining('SECRET_STORE=file'),
    });
    expect(JSON.stringify(answer.json)).not.toContain(api.githubToken);
    expect((await api.call('GET', '/api/github-connections/org-env', { token: admin })).status).toBe(404);
    expect(api.violations).toEqual([]);
  });
});
