import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../adapters/zip/readZip';
import { ApiHarness } from '../support/apiHarness';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Connecting over hand-made content: a confirmation, then a backup that gives the edits back exactly. */
describe.each(['data-dir', 'workspace'])(
  'backups before a sync replaces hand edits (BACKUP_STORE=%s)',
  (backupStore) => {
    let api: ApiHarness;
    let admin: string;
    const org = { 'x-organization-id': 'org-c' };

    beforeAll(async () => {
      api = await ApiHarness.start({ BACKUP_STORE: backupStore });
      admin = await api.admin();
      const repo = await api.repo('acme/org-c-scripts');
      await repo.write('a.ps1', 'from the repository\n');
      await repo.write('lib/b.ps1', 'library\n');
      await repo.commit('scripts');
    });
    afterAll(async () => {
      await api?.stop();
    });

    const put = (path: string, text: string) =>
      api.call('PUT', `/api/workspace/files?path=${encodeURIComponent(path)}`, {
        token: admin,
        headers: { ...org, 'content-type': 'text/plain' },
        body: text,
      });
    const connect = (confirmOverwrite: boolean) =>
      api.call('POST', '/api/github-connections', {
        token: admin,
        headers: org,
        json: { repository: 'acme/org-c-scripts', branch: 'main', token: api.githubToken, confirmOverwrite },
      });
    const backups = async () =>
      (await api.call('GET', '/api/workspace/backups', { token: admin, headers: org })).json.items as Array<{
        id: string;
        scope: string;
        size: number;
      }>;

    it('asks for confirmation, then backs up the edited files before replacing them, and the zip restores them exactly', async () => {
      expect((await put('a.ps1', 'edited by hand\n')).status).toBe(201);
      expect((await put('notes/mine.txt', 'only here\n')).status).toBe(201);

      const refused = await connect(false);
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({ error: 'ConfirmationRequired', fileCount: 2 });
      expect(await backups()).toEqual([]);

      expect((await connect(true)).status).toBe(201);
      await api.idle();
      const [backup, ...more] = await backups();
      expect(more).toEqual([]);
      expect(backup).toMatchObject({ scope: 'org-c' });

      const runs = (await api.call('GET', '/api/sync-jobs?scope=org-c', { token: admin })).json.items as Array<{
        status: string;
        backupId?: string;
      }>;
      expect(runs[0]).toMatchObject({ status: 'succeeded', backupId: backup!.id });

      const download = await api.call('GET', `/api/workspace/backups/${backup!.id}`, { token: admin, headers: org });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=backup-\d{8}-\d{6}\.zip$/);
      expect(download.bytes.byteLength).toBe(backup!.size);
      const files = [...(await readZip(download.bytes))].filter(([, entry]) => entry.kind === 'file');
      expect(
        Object.fromEntries(files.map(([path, entry]) => [path, entry.kind === 'file' ? entry.sha256 : ''])),
      ).toEqual({
        'a.ps1': sha256('edited by hand\n'),
        'notes/mine.txt': sha256('only here\n'),
      });

      const now = await api.call('GET', '/api/workspace/files?path=a.ps1', {
        token: admin,
        headers: { ...org, accept: 'text/plain' },
      });
      expect(now.bytes.toString()).toBe('from the repository\n');
      // In the workspace store, backups live in its private folder, never in a scope's.
      const kept = await readdir(join(api.workspaceRoot, '.workspace-sync', 'backups')).catch(() => []);
      expect(kept.some((name) => name.startsWith(backup!.id))).toBe(backupStore === 'workspace');
    });

    it('takes no backup when nothing would be lost (reconnecting over the branch it already holds)', async () => {
      expect((await api.call('DELETE', '/api/github-connections/org-c', { token: admin })).status).toBe(200);
      expect((await connect(true)).status).toBe(201);
      await api.idle();
      expect(await backups()).toHaveLength(1);
    });

    it("a backup is not reachable through another scope, and another organisation's user cannot list it", async () => {
      const [backup] = await backups();
      expect(
        (
          await api.call('GET', `/api/workspace/backups/${backup!.id}`, {
            token: admin,
            headers: { 'x-organization-id': 'org-d' },
          })
        ).status,
      ).toBe(404);
      expect(
        (await api.call('GET', '/api/workspace/backups/..%2F..%2Fsecrets', { token: admin, headers: org })).status,
      ).toBe(404);
      const other = await api.orgUser(['org-d']);
      expect((await api.call('GET', '/api/workspace/backups', { token: other, headers: org })).status).toBe(403);
    });

    it('every answer matched /api/openapi.json', () => {
      expect(api.violations).toEqual([]);
    });
  },
);
