import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';
import { connectionsUrl } from './connectionApi';
import { filesUrl, orgHeader } from './workspaceApi';

/**
 * Azure Files compares names without case, so `orgs/Contoso` and `orgs/contoso` are one folder: the
 * service must treat them as one scope everywhere (header, path, claims, keys, folder, secrets).
 */
describe('organisation ids ignore case', () => {
  let api: ApiHarness;
  /** Editor whose token names the organisation in capitals. */
  let editor: string;

  beforeAll(async () => {
    api = await ApiHarness.start();
    editor = await api.orgUser(['CONTOSO'], { editor: true });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('X-Organization-Id Contoso and contoso address one scope, which a token naming CONTOSO may change', async () => {
    const written = await api.call('PUT', filesUrl('run.ps1'), {
      token: editor,
      body: 'Write-Host one',
      headers: { ...orgHeader('Contoso'), 'content-type': 'application/octet-stream' },
    });
    expect(written.status).toBe(201);
    const read = await api.call('GET', filesUrl('run.ps1'), { token: editor, headers: orgHeader('contoso') });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ content: 'Write-Host one' });
    // One folder, named in lower case.
    expect(await readdir(join(api.workspaceRoot, 'orgs'))).toEqual(['contoso']);
    expect(await readFile(join(api.workspaceRoot, 'orgs', 'contoso', 'run.ps1'), 'utf8')).toBe('Write-Host one');
    expect(api.violations).toEqual([]);
  });

  it('one connection per organisation whatever the case, answered in lower case', async () => {
    const repo = await api.repo('acme/case');
    await repo.write('a.ps1', 'a\n');
    await repo.commit('first');
    const create = (org: string) =>
      api.call('POST', connectionsUrl(), {
        token: editor,
        json: { repository: 'acme/case', branch: 'main', token: api.githubToken, confirmOverwrite: true },
        headers: orgHeader(org),
      });
    const created = await create('CoNtOsO');
    expect(created.status).toBe(201);
    expect(created.json.connection).toMatchObject({ scope: 'contoso' });
    expect((await create('contoso')).json.error).toBe('ConnectionExists');
    expect((await api.call('GET', connectionsUrl('CONTOSO'), { token: editor })).json).toMatchObject({
      scope: 'contoso',
      repository: 'acme/case',
    });
    const hook = api.peer.webhooks('acme/case')[0]!;
    expect(new URL(hook.config.url).pathname).toBe('/api/github/webhook/contoso');
    await api.idle();
    expect(api.violations).toEqual([]);
  });

  it('refuses global in any spelling but GLOBAL: it is not an organisation', async () => {
    for (const spelling of ['global', 'Global']) {
      const answer = await api.call('GET', filesUrl('x'), { token: editor, headers: orgHeader(spelling) });
      expect([answer.status, answer.json.error]).toEqual([400, 'InvalidScope']);
    }
  });
});
