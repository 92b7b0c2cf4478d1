import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRunView } from '../../src/functions/schemas/syncRunView';
import { ApiHarness } from '../support/apiHarness';
import { snapshotFolder } from '../support/folderSnapshot';
import { GitRepo } from '../support/gitRepo';
import { connectionsUrl, pushPayload, SecretWatch, signedPushHeaders, syncJobsUrl } from './connectionApi';
import { filesUrl, orgHeader } from './workspaceApi';

const newToken = () => `ghp_${randomBytes(18).toString('hex')}`;

/** The connection routes over HTTP against the GitHub peer: the real local host, worker and folder. */
describe('GitHub connections API', () => {
  let api: ApiHarness;
  let http: SecretWatch;
  let admin: string;
  /** Editor of every organisation these tests connect. */
  let editor: string;
  const ORGS = [
    'org-happy',
    'org-manual',
    'org-invalid',
    'org-exists',
    'org-rotate',
    'org-patch',
    'org-delete',
    'org-preview',
    'org-confirm',
    'org-busy',
    'org-hookfail',
    'org-rename',
  ];

  const folder = (scope: string) => join(api.workspaceRoot, scope === 'GLOBAL' ? 'global' : join('orgs', scope));
  /** Relative paths of the files in a scope folder. */
  const filesIn = async (scope: string) =>
    [...(await snapshotFolder(folder(scope))).entries()]
      .filter(([, entry]) => entry.kind === 'file')
      .map(([path]) => path)
      .sort();
  const create = (scope: string, json: unknown, token = editor) =>
    http.call('POST', connectionsUrl(), { token, json, headers: orgHeader(scope) });
  const getConnection = (scope: string, token = editor) => http.call('GET', connectionsUrl(scope), { token });
  const patch = (scope: string, json: unknown) => http.call('PATCH', connectionsUrl(scope), { token: editor, json });
  const syncNow = (scope: string) => http.call('POST', connectionsUrl(scope, 'sync'), { token: editor });
  const putFile = (scope: string, path: string, content: string) =>
    http.call('PUT', filesUrl(path), {
      token: editor,
      body: content,
      headers: { ...orgHeader(scope), 'content-type': 'application/octet-stream' },
    });
  const runsOf = async (scope: string) => {
    const answer = await http.call('GET', syncJobsUrl({ scope, limit: 100 }), { token: editor });
    expect(answer.status).toBe(200);
    return answer.json.items as SyncRunView[];
  };
  /** A repository readable by `api.githubToken` with these files on `main`; returns the head. */
  const repoWith = async (
    fullName: string,
    files: Record<string, string>,
    options: Parameters<ApiHarness['repo']>[1] = {},
  ) => {
    const repo = await api.repo(fullName, options);
    for (const [path, content] of Object.entries(files)) await repo.write(path, content);
    const head = await repo.commit('first');
    return { repo, head };
  };
  const push = (
    scope: string,
    secret: string,
    repository: string,
    before: string,
    after: string,
    path = `/api/github/webhook/${scope}`,
  ) => {
    const body = pushPayload(repository, 'main', before, after, api.peer.repositoryId(repository));
    return http.call('POST', path, { token: null, body, headers: signedPushHeaders(secret, body) });
  };

  beforeAll(async () => {
    api = await ApiHarness.start();
    http = new SecretWatch(api);
    http.watch(api.githubToken);
    [admin, editor] = await Promise.all([api.admin(), api.orgUser(ORGS, { editor: true })]);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('connects with a token that may manage hooks: webhook registered, first sync mirrors the branch, a signed push brings the next commit', async () => {
    const files = {
      'run.ps1': 'Write-Host run\n',
      'lib/util.psm1': 'function Get-X {}\n',
      'docs/readme.md': '# docs\n',
    };
    const { repo, head: first } = await repoWith('acme/happy', files);

    const created = await create('org-happy', { repository: 'acme/happy', branch: 'main', token: api.githubToken });
    expect(created.status).toBe(201);
    expect(created.json.connection).toMatchObject({
      scope: 'org-happy',
      repository: 'acme/happy',
      branch: 'main',
      subPath: '',
      enabled: true,
      webhook: { mode: 'automatic' },
    });
    expect(created.json.webhook).toEqual({ mode: 'automatic', id: expect.any(Number) });
    expect(created.json.sync).toEqual({ queued: true, deliveryId: expect.any(String) });

    const hooks = api.peer.webhooks('acme/happy');
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook.id).toBe(created.json.webhook.id);
    expect(created.json.connection.webhook.id).toBe(hook.id);
    expect(hook).toMatchObject({ active: true, events: ['push'], config: { content_type: 'json' } });
    expect(hook.config.url).toMatch(/\/api\/github\/webhook\/org-happy$/);
    expect(hook.config.secret).toMatch(/.{16,}/);
    // GitHub pings a hook as soon as it exists: the connection must already answer it.
    expect(api.peer.hookDeliveries('acme/happy')).toEqual([
      expect.objectContaining({ hookId: hook.id, event: 'ping', statusCode: 200 }),
    ]);
    expect(JSON.parse(api.peer.hookDeliveries('acme/happy')[0]!.response)).toEqual({ message: 'pong' });

    await api.idle();
    expect(await filesIn('org-happy')).toEqual(Object.keys(files).sort());
    for (const [path, content] of Object.entries(files))
      expect(await readFile(join(folder('org-happy'), path), 'utf8')).toBe(content);
    expect((await getConnection('org-happy')).json).toMatchObject({
      lastSyncedCommit: first,
      lastSyncOutcome: 'succeeded',
    });
    const [firstRun] = await runsOf('org-happy');
    expect(firstRun).toMatchObject({
      trigger: 'connect',
      status: 'succeeded',
      commitSha: first,
      deliveryId: created.json.sync.deliveryId,
    });

    await repo.write('new.ps1', 'Write-Host new\n');
    const second = await repo.commit('second');
    const hookPath = new URL(hook.config.url).pathname;
    const forged = await push('org-happy', 'not the secret', 'acme/happy', first, second, hookPath);
    expect([forged.status, forged.json.error]).toEqual([401, 'SignatureInvalid']);
    const delivered = await push('org-happy', hook.config.secret!, 'acme/happy', first, second, hookPath);
    expect(delivered.status).toBe(202);
    expect(delivered.json).toMatchObject({ commitSha: second });

    await api.idle();
    expect(await readFile(join(folder('org-happy'), 'new.ps1'), 'utf8')).toBe('Write-Host new\n');
    expect((await getConnection('org-happy')).json).toMatchObject({
      lastSyncedCommit: second,
      lastSyncOutcome: 'succeeded',
    });
    const [pushRun] = await runsOf('org-happy');
    expect(pushRun).toMatchObject({
      trigger: 'push',
      status: 'succeeded',
      fromCommit: first,
      commitSha: second,
      counts: { written: 1, deleted: 0 },
    });
  });

  it("a repository renamed on GitHub: pushes match on GitHub's repository id, the connection follows the new name and keeps syncing", async () => {
    const { repo, head: first } = await repoWith('acme/before-rename', { 'a.ps1': 'a\n' });
    const created = await create('org-rename', {
      repository: 'acme/before-rename',
      branch: 'main',
      token: api.githubToken,
    });
    expect(created.status).toBe(201);
    await api.idle();
    const secret = api.peer.webhooks('acme/before-rename')[0]!.config.secret!;

    api.peer.renameRepository('acme/before-rename', 'acme/after-rename');
    await repo.write('b.ps1', 'b\n');
    const second = await repo.commit('second');
    const delivered = await push('org-rename', secret, 'acme/after-rename', first, second);
    expect(delivered.status).toBe(202);
    await api.idle();
    expect(await readFile(join(folder('org-rename'), 'b.ps1'), 'utf8')).toBe('b\n');
    expect((await getConnection('org-rename')).json).toMatchObject({
      repository: 'acme/after-rename',
      lastSyncedCommit: second,
      lastSyncOutcome: 'succeeded',
    });

    // A new repository under the old name is another repository: its pushes are not ours.
    const { head: impostor } = await repoWith('acme/before-rename', { 'evil.ps1': 'evil\n' });
    const ignored = await push('org-rename', secret, 'acme/before-rename', second, impostor);
    expect(ignored.status).toBe(200);
    expect(ignored.json.ignored).toMatch(/connection is to acme\/after-rename/);
  });

  it('a token without admin rights: manual webhook with URL and secret, shown once; the secret verifies pushes', async () => {
    const { repo, head: first } = await repoWith(
      'acme/manual',
      { 'a.ps1': 'a\n' },
      { permissions: { admin: false, push: true, pull: true } },
    );

    const created = await create('org-manual', { repository: 'acme/manual', branch: 'main', token: api.githubToken });
    expect(created.status).toBe(201);
    expect(created.json.webhook).toEqual({
      mode: 'manual',
      url: expect.stringMatching(/\/api\/github\/webhook\/org-manual$/),
      secret: expect.any(String),
      reason: expect.any(String),
    });
    expect(created.json.connection.webhook).toEqual({ mode: 'manual' });
    expect(api.peer.webhooks('acme/manual')).toEqual([]);
    const { secret, url } = created.json.webhook as { secret: string; url: string };
    expect(secret.length).toBeGreaterThanOrEqual(16);
    http.watch(secret);

    // From now on no answer may carry the secret: not the connection, not the list.
    const shown = await getConnection('org-manual');
    expect(shown.status).toBe(200);
    expect(shown.json.webhook).toEqual({ mode: 'manual' });
    expect((await http.call('GET', connectionsUrl(), { token: admin })).status).toBe(200);

    await api.idle();
    await repo.write('b.ps1', 'b\n');
    const second = await repo.commit('second');
    const delivered = await push('org-manual', secret, 'acme/manual', first, second, new URL(url).pathname);
    expect(delivered.status).toBe(202);
    await api.idle();
    expect(await filesIn('org-manual')).toEqual(['a.ps1', 'b.ps1']);
  });

  it('GitHub refusing to register the webhook falls back to manual setup; the connection stands', async () => {
    await repoWith('acme/hookfail', { 'a.ps1': 'a\n' });
    api.peer.injectFault({ kind: 'status', status: 500, times: 5, match: /^\/repos\/acme\/hookfail\/hooks$/ });
    const created = await create('org-hookfail', {
      repository: 'acme/hookfail',
      branch: 'main',
      token: api.githubToken,
    });
    api.peer.clearFaults();
    expect(created.status).toBe(201);
    expect(created.json.webhook).toEqual({
      mode: 'manual',
      url: expect.stringMatching(/\/api\/github\/webhook\/org-hookfail$/),
      secret: expect.any(String),
      reason: expect.stringMatching(/GitHub did not register/),
    });
    http.watch(created.json.webhook.secret);
    expect(created.json.connection.webhook).toEqual({ mode: 'manual' });
    expect(api.peer.webhooks('acme/hookfail')).toEqual([]);
    await api.idle();
    expect(await filesIn('org-hookfail')).toEqual(['a.ps1']);
    const removed = await http.call('DELETE', connectionsUrl('org-hookfail'), { token: editor });
    expect(removed.json.webhook).toEqual({ kind: 'manual', message: expect.any(String) });
  });

  it('refuses what cannot work, each with its code and status, and changes nothing', async () => {
    await repoWith('acme/valid', { 'scripts/a.ps1': 'a\n' });
    await repoWith('acme/no-pull', { 'a.ps1': 'a\n' }, { permissions: { admin: false, push: false, pull: false } });
    const revoked = newToken();
    const unknown = newToken();
    api.peer.addToken(revoked);
    api.peer.revokeToken(revoked);
    http.watch(revoked, unknown);
    const valid = { repository: 'acme/valid', branch: 'main', token: api.githubToken };

    const cases: Array<[string, unknown, number, string]> = [
      ['malformed repository', { ...valid, repository: 'not a repository' }, 400, 'InvalidRepository'],
      ['repository without owner', { ...valid, repository: 'valid' }, 400, 'InvalidRepository'],
      ['unknown repository', { ...valid, repository: 'acme/nowhere' }, 422, 'RepositoryNotFound'],
      ['unknown token', { ...valid, token: unknown }, 422, 'TokenRejected'],
      ['revoked token', { ...valid, token: revoked }, 422, 'TokenRejected'],
      ['token that may not pull', { ...valid, repository: 'acme/no-pull' }, 422, 'InsufficientPermissions'],
      ['unknown branch', { ...valid, branch: 'no-such-branch' }, 422, 'BranchNotFound'],
      ['invalid branch name', { ...valid, branch: 'a..b' }, 400, 'InvalidBranch'],
      ['unknown sub-path', { ...valid, subPath: 'no/such/folder' }, 422, 'SubPathNotFound'],
      ['sub-path escaping the repository', { ...valid, subPath: '../up' }, 400, 'InvalidSubPath'],
      [
        'token with a line break (no header can carry it)',
        { ...valid, token: 'ghp_abc\ndef' },
        400,
        'ValidationFailed',
      ],
      ['token with a space', { ...valid, token: 'ghp_abc def' }, 400, 'ValidationFailed'],
      ['empty token', { ...valid, token: '  ' }, 400, 'ValidationFailed'],
      ['unknown field', { ...valid, colour: 'red' }, 400, 'ValidationFailed'],
      ['missing token', { repository: 'acme/valid', branch: 'main' }, 400, 'ValidationFailed'],
      ['confirmOverwrite not a boolean', { ...valid, confirmOverwrite: 'yes' }, 400, 'ValidationFailed'],
      ['an array', [valid], 400, 'ValidationFailed'],
    ];
    for (const [label, body, status, code] of cases) {
      const answer = await create('org-invalid', body);
      expect({ label, status: answer.status, error: answer.json?.error }).toEqual({ label, status, error: code });
      expect(answer.json.message).toEqual(expect.any(String));
    }

    const badJson = await http.call('POST', connectionsUrl(), {
      token: editor,
      body: '{"repository": "acme/valid",',
      headers: { ...orgHeader('org-invalid'), 'content-type': 'application/json' },
    });
    expect([badJson.status, badJson.json.error]).toEqual([400, 'InvalidJson']);

    api.peer.injectFault({ kind: 'status', status: 503, times: 10, match: /^\/repos\/acme\/valid/ });
    const down = await create('org-invalid', valid);
    api.peer.clearFaults();
    expect([down.status, down.json.error]).toEqual([502, 'GitHubUnavailable']);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect((await getConnection('org-invalid')).json.error).toBe('NotConnected');
    expect(api.peer.webhooks('acme/valid')).toEqual([]);
    expect(await filesIn('org-invalid')).toEqual([]);
  });

  it('409 ConnectionExists for a connected scope; 409 ConfirmationRequired with fileCount over manual files', async () => {
    await repoWith('acme/exists', { 'a.ps1': 'a\n' });
    const body = { repository: 'acme/exists', branch: 'main', token: api.githubToken };
    expect((await create('org-exists', body)).status).toBe(201);
    await api.idle();
    const again = await create('org-exists', body);
    expect([again.status, again.json.error]).toEqual([409, 'ConnectionExists']);
    expect(api.peer.webhooks('acme/exists')).toHaveLength(1);

    // A folder holding manual files: connecting must be confirmed.
    expect((await putFile('org-confirm', 'manual-1.ps1', 'one')).status).toBe(201);
    expect((await putFile('org-confirm', 'deep/manual-2.ps1', 'two')).status).toBe(201);
    const unconfirmed = await create('org-confirm', body);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.json).toMatchObject({ error: 'ConfirmationRequired', fileCount: 2 });
    const explicitNo = await create('org-confirm', { ...body, confirmOverwrite: false });
    expect(explicitNo.json).toMatchObject({ error: 'ConfirmationRequired', fileCount: 2 });
    expect((await getConnection('org-confirm')).status).toBe(404);
    expect(await filesIn('org-confirm')).toEqual(['deep/manual-2.ps1', 'manual-1.ps1']);
  });

  it('preview of connecting over manual files lists exactly what the following sync does; then the scope is up to date', async () => {
    const repoFiles = {
      'new.ps1': 'new\n',
      'sub/also-new.ps1': 'also new\n',
      'changed.ps1': 'from git\n',
      'same.ps1': 'same\n',
    };
    const { head } = await repoWith('acme/preview', repoFiles);
    // Manual files: one the branch changes, one it holds alike, and three it does not have (two in folders that go).
    const manual = {
      'changed.ps1': 'by hand\n',
      'same.ps1': 'same\n',
      'manual-1.ps1': 'one\n',
      'deep/manual-2.ps1': 'two\n',
      'old/gone.ps1': 'gone\n',
    };
    for (const [path, content] of Object.entries(manual)) {
      expect((await putFile('org-preview', path, content)).status).toBe(201);
    }
    const before = await snapshotFolder(folder('org-preview'));
    const proposed = { repository: 'acme/preview', branch: 'main', token: api.githubToken };

    const preview = await http.call('POST', connectionsUrl('org-preview', 'preview'), {
      token: editor,
      json: proposed,
    });
    expect(preview.status).toBe(200);
    const plan = preview.json;
    expect(plan).toMatchObject({
      scope: 'org-preview',
      repository: 'acme/preview',
      branch: 'main',
      subPath: '',
      commitSha: head,
      upToDate: false,
    });
    expect([...plan.newFiles].sort()).toEqual(['new.ps1', 'sub/also-new.ps1']);
    expect(plan.overwrittenFiles).toContain('changed.ps1');
    expect([...plan.deletedFiles].sort()).toEqual(['deep/manual-2.ps1', 'manual-1.ps1', 'old/gone.ps1']);
    expect([...plan.removedFolders].sort()).toEqual(expect.arrayContaining(['deep', 'old']));
    expect(plan.newFiles.length + plan.overwrittenFiles.length + plan.unchanged).toBe(Object.keys(repoFiles).length);
    // A dry run: nothing changed, nothing connected.
    expect(await snapshotFolder(folder('org-preview'))).toEqual(before);
    expect((await getConnection('org-preview')).status).toBe(404);
    const noBodyUnconnected = await http.call('POST', connectionsUrl('org-preview', 'preview'), { token: editor });
    expect([noBodyUnconnected.status, noBodyUnconnected.json.error]).toEqual([404, 'NotConnected']);

    const created = await create('org-preview', { ...proposed, confirmOverwrite: true });
    expect(created.status).toBe(201);
    await api.idle();

    const [run] = await runsOf('org-preview');
    expect(run).toMatchObject({
      trigger: 'connect',
      status: 'succeeded',
      commitSha: head,
      deliveryId: created.json.sync.deliveryId,
    });
    expect(run!.counts).toMatchObject({
      written: plan.newFiles.length + plan.overwrittenFiles.length,
      deleted: plan.deletedFiles.length,
      unchanged: plan.unchanged,
      bytesWritten: plan.bytesToWrite,
    });
    expect(await filesIn('org-preview')).toEqual(Object.keys(repoFiles).sort());
    const after = await snapshotFolder(folder('org-preview'));
    for (const removed of plan.removedFolders as string[]) expect(after.has(removed)).toBe(false);
    for (const [path, content] of Object.entries(repoFiles))
      expect(await readFile(join(folder('org-preview'), path), 'utf8')).toBe(content);

    const resync = await http.call('POST', connectionsUrl('org-preview', 'preview'), { token: editor });
    expect(resync.status).toBe(200);
    expect(resync.json).toMatchObject({
      upToDate: true,
      commitSha: head,
      newFiles: [],
      overwrittenFiles: [],
      deletedFiles: [],
      removedFolders: [],
      bytesToWrite: 0,
    });
    expect(resync.json.unchanged).toBe(Object.keys(repoFiles).length);

    const badPreview = await http.call('POST', connectionsUrl('org-preview', 'preview'), {
      token: editor,
      json: { ...proposed, extra: true },
    });
    expect([badPreview.status, badPreview.json.error]).toEqual([400, 'ValidationFailed']);
    const unknownBranch = await http.call('POST', connectionsUrl('org-preview', 'preview'), {
      token: editor,
      json: { ...proposed, branch: 'nope' },
    });
    expect([unknownBranch.status, unknownBranch.json.error]).toEqual([422, 'BranchNotFound']);
  });

  it('token rotation: a bad token is refused and the old one keeps working; a good one replaces it', async () => {
    const oldToken = newToken();
    const rotated = newToken();
    const rejected = newToken();
    http.watch(oldToken, rotated, rejected);
    api.peer.addToken(oldToken);
    api.peer.addToken(rotated);
    // Private, without a token of its own: every valid token sees it.
    const repo = await GitRepo.create();
    api.peer.addRepository('acme/rotate', repo, { private: true });
    await repo.write('a.ps1', 'a\n');
    await repo.commit('first');

    expect((await create('org-rotate', { repository: 'acme/rotate', branch: 'main', token: oldToken })).status).toBe(
      201,
    );
    await api.idle();
    expect(await filesIn('org-rotate')).toEqual(['a.ps1']);

    const refused = await patch('org-rotate', { token: rejected });
    expect([refused.status, refused.json.error]).toEqual([422, 'TokenRejected']);
    await repo.write('b.ps1', 'b\n');
    const second = await repo.commit('second');
    expect((await syncNow('org-rotate')).status).toBe(202);
    await api.idle();
    expect((await getConnection('org-rotate')).json).toMatchObject({
      lastSyncedCommit: second,
      lastSyncOutcome: 'succeeded',
    });

    // Pasted with its line break: the break is dropped, the token kept.
    const replaced = await patch('org-rotate', { token: `${rotated}\n` });
    expect(replaced.status).toBe(200);
    expect(replaced.json.sync).toBeNull();
    expect(replaced.json.connection).toMatchObject({ repository: 'acme/rotate', branch: 'main', enabled: true });
    api.peer.revokeToken(oldToken);

    await repo.write('c.ps1', 'c\n');
    const third = await repo.commit('third');
    expect((await syncNow('org-rotate')).status).toBe(202);
    await api.idle();
    expect((await getConnection('org-rotate')).json).toMatchObject({
      lastSyncedCommit: third,
      lastSyncOutcome: 'succeeded',
    });
    expect(await filesIn('org-rotate')).toEqual(['a.ps1', 'b.ps1', 'c.ps1']);
    const [run] = await runsOf('org-rotate');
    expect(run).toMatchObject({ trigger: 'manual', status: 'succeeded', commitSha: third });
  });

  it('PATCH changes the branch (and syncs it), disables (sync-now 409) and enables again (sync queued)', async () => {
    const { repo } = await repoWith('acme/patch', { 'main-only.ps1': 'main\n', 'both.ps1': 'main\n' });
    await repo.createBranch('release');
    await repo.checkout('release');
    await repo.remove('main-only.ps1');
    await repo.write('both.ps1', 'release\n');
    await repo.write('release-only.ps1', 'release\n');
    const releaseHead = await repo.commit('release');

    expect(
      (await create('org-patch', { repository: 'acme/patch', branch: 'main', token: api.githubToken })).status,
    ).toBe(201);
    await api.idle();
    expect(await filesIn('org-patch')).toEqual(['both.ps1', 'main-only.ps1']);

    const switched = await patch('org-patch', { branch: 'release' });
    expect(switched.status).toBe(200);
    expect(switched.json.connection).toMatchObject({ branch: 'release', enabled: true });
    expect(switched.json.sync).toEqual({ queued: true, deliveryId: expect.any(String) });
    await api.idle();
    expect(await filesIn('org-patch')).toEqual(['both.ps1', 'release-only.ps1']);
    expect(await readFile(join(folder('org-patch'), 'both.ps1'), 'utf8')).toBe('release\n');
    expect((await getConnection('org-patch')).json).toMatchObject({ branch: 'release', lastSyncedCommit: releaseHead });

    const unknownBranch = await patch('org-patch', { branch: 'no-such-branch' });
    expect([unknownBranch.status, unknownBranch.json.error]).toEqual([422, 'BranchNotFound']);
    const unknownSubPath = await patch('org-patch', { subPath: 'no/such/folder' });
    expect([unknownSubPath.status, unknownSubPath.json.error]).toEqual([422, 'SubPathNotFound']);
    const invalidSubPath = await patch('org-patch', { subPath: '../outside' });
    expect([invalidSubPath.status, invalidSubPath.json.error]).toEqual([400, 'InvalidSubPath']);
    expect((await getConnection('org-patch')).json).toMatchObject({ branch: 'release', subPath: '' });
    for (const body of [{}, { colour: 'red' }, { enabled: 'no' }, { token: 'ghp_a\nb' }]) {
      const refused = await patch('org-patch', body);
      expect([refused.status, refused.json.error]).toEqual([400, 'ValidationFailed']);
    }

    const disabled = await patch('org-patch', { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.json.connection.enabled).toBe(false);
    expect(disabled.json.sync).toBeNull();
    const refusedSync = await syncNow('org-patch');
    expect([refusedSync.status, refusedSync.json.error]).toEqual([409, 'ConnectionDisabled']);

    const runsBefore = (await runsOf('org-patch')).length;
    const enabled = await patch('org-patch', { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.json.connection.enabled).toBe(true);
    expect(enabled.json.sync).toEqual({ queued: true, deliveryId: expect.any(String) });
    await api.idle();
    const runs = await runsOf('org-patch');
    expect(runs).toHaveLength(runsBefore + 1);
    expect(runs[0]).toMatchObject({ deliveryId: enabled.json.sync.deliveryId, status: 'noop' });

    const notConnected = await http.call('PATCH', connectionsUrl('org-invalid'), {
      token: editor,
      json: { enabled: false },
    });
    expect([notConnected.status, notConnected.json.error]).toEqual([404, 'NotConnected']);
    const syncUnconnected = await syncNow('org-invalid');
    expect([syncUnconnected.status, syncUnconnected.json.error]).toEqual([404, 'NotConnected']);
  });

  it('while a sync holds the scope, PATCH and DELETE answer 503 SyncInProgress with retry-after', async () => {
    await repoWith('acme/busy', { 'a.ps1': 'a\n' });
    // The first sync records its run, then waits for the tree: long enough to try changes meanwhile.
    api.peer.injectFault({ kind: 'delay', ms: 2_000, match: /^\/repos\/acme\/busy\/git\/trees\// });
    expect((await create('org-busy', { repository: 'acme/busy', branch: 'main', token: api.githubToken })).status).toBe(
      201,
    );
    let running: SyncRunView[] = [];
    for (let i = 0; i < 100 && running.length === 0; i++) {
      const answer = await http.call('GET', syncJobsUrl({ scope: 'org-busy', status: 'running' }), { token: editor });
      running = answer.json.items;
      if (running.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(running).toEqual([expect.objectContaining({ scope: 'org-busy', trigger: 'connect', status: 'running' })]);

    const patched = await patch('org-busy', { enabled: false });
    expect([patched.status, patched.json.error]).toEqual([503, 'SyncInProgress']);
    expect(Number(patched.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const deleted = await http.call('DELETE', connectionsUrl('org-busy'), { token: editor });
    expect([deleted.status, deleted.json.error]).toEqual([503, 'SyncInProgress']);

    await api.idle();
    expect(await filesIn('org-busy')).toEqual(['a.ps1']);
    expect((await getConnection('org-busy')).json.enabled).toBe(true);
    expect((await patch('org-busy', { enabled: false })).status).toBe(200);
  });

  it('DELETE keeps the files, removes the webhook it registered, and the folder becomes editable', async () => {
    await repoWith('acme/delete', { 'keep.ps1': 'keep\n', 'lib/keep.psm1': 'keep\n' });
    const created = await create('org-delete', { repository: 'acme/delete', branch: 'main', token: api.githubToken });
    expect(created.status).toBe(201);
    await api.idle();
    expect(api.peer.webhooks('acme/delete')).toHaveLength(1);

    const managed = await putFile('org-delete', 'x.ps1', 'by hand');
    expect([managed.status, managed.json.error]).toEqual([403, 'GitHubSyncEnabled']);
    const before = await snapshotFolder(folder('org-delete'));

    const deleted = await http.call('DELETE', connectionsUrl('org-delete'), { token: editor });
    expect(deleted.status).toBe(200);
    expect(deleted.json.webhook).toEqual({ kind: 'removed', id: created.json.webhook.id });
    expect(deleted.json.connection).toMatchObject({ scope: 'org-delete', repository: 'acme/delete' });
    expect(deleted.json.secrets).toEqual({
      removed: ['github-token-org-delete', 'webhook-secret-org-delete'],
      kept: [],
    });
    expect(api.peer.webhooks('acme/delete')).toEqual([]);
    expect(await snapshotFolder(folder('org-delete'))).toEqual(before);

    expect((await getConnection('org-delete')).json.error).toBe('NotConnected');
    const again = await http.call('DELETE', connectionsUrl('org-delete'), { token: editor });
    expect([again.status, again.json.error]).toEqual([404, 'NotConnected']);
    const written = await putFile('org-delete', 'x.ps1', 'by hand');
    expect(written.status).toBe(201);
    expect(await readFile(join(folder('org-delete'), 'x.ps1'), 'utf8')).toBe('by hand');
    const lateDelivery = await push('org-delete', 'whatever', 'acme/delete', '0'.repeat(40), 'a'.repeat(40));
    expect([lateDelivery.status, lateDelivery.json.error]).toEqual([404, 'UnknownScope']);
  });

  it('no X-Organization-Id connects GLOBAL (admins only)', async () => {
    await repoWith('acme/global', { 'shared.ps1': 'shared\n' });
    const body = { repository: 'acme/global', branch: 'main', token: api.githubToken };
    const byEditor = await http.call('POST', connectionsUrl(), { token: editor, json: body });
    expect([byEditor.status, byEditor.json.error]).toEqual([403, 'Forbidden']);
    const created = await http.call('POST', connectionsUrl(), { token: admin, json: body });
    expect(created.status).toBe(201);
    expect(created.json.connection.scope).toBe('GLOBAL');
    await api.idle();
    expect(await filesIn('GLOBAL')).toEqual(['shared.ps1']);
  });

  it('authorisation: an org user lists only their organisation; a reader cannot create, change or preview', async () => {
    const reader = await api.orgUser(['org-happy']);
    const outsider = await api.orgUser(['org-elsewhere'], { editor: true });

    const all = await http.call('GET', connectionsUrl(), { token: admin });
    expect(all.status).toBe(200);
    const everyScope = (all.json.items as Array<{ scope: string }>).map((item) => item.scope);
    expect(everyScope).toEqual(expect.arrayContaining(['org-happy', 'org-manual', 'org-patch', 'GLOBAL']));

    const mine = await http.call('GET', connectionsUrl(), { token: reader });
    expect(mine.status).toBe(200);
    expect((mine.json.items as Array<{ scope: string }>).map((item) => item.scope)).toEqual(['org-happy']);
    const none = await http.call('GET', connectionsUrl(), { token: outsider });
    expect(none.json.items).toEqual([]);
    expect((await getConnection('org-happy', reader)).status).toBe(200);
    expect((await getConnection('org-happy', outsider)).status).toBe(403);

    const body = { repository: 'acme/valid', branch: 'main', token: api.githubToken };
    const writes: Array<[string, string, unknown]> = [
      ['POST', connectionsUrl(), body],
      ['PATCH', connectionsUrl('org-happy'), { enabled: false }],
      ['DELETE', connectionsUrl('org-happy'), undefined],
      ['POST', connectionsUrl('org-happy', 'preview'), undefined],
      ['POST', connectionsUrl('org-happy', 'sync'), undefined],
    ];
    for (const [method, path, json] of writes) {
      const answer = await http.call(method, path, {
        token: reader,
        headers: orgHeader('org-happy'),
        ...(json === undefined ? {} : { json }),
      });
      expect({ method, path, status: answer.status, error: answer.json.error }).toEqual({
        method,
        path,
        status: 403,
        error: 'Forbidden',
      });
    }
    expect((await getConnection('org-happy')).json.enabled).toBe(true);
  });

  it('no answer carried a GitHub token or the manual webhook secret after it was handed out, and every answer matched the OpenAPI document', () => {
    expect(http.leaks).toEqual([]);
    expect(api.violations).toEqual([]);
  });
});
