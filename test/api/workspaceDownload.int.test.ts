import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip, withoutTimes } from '../adapters/zip/readZip';
import { ApiHarness } from '../support/apiHarness';
import { diffSnapshots, snapshotFolder } from '../support/folderSnapshot';
import { filesUrl, orgHeader, workspaceUrl } from './workspaceApi';

const ORG = 'org-zip';
const OTHER_ORG = 'org-zip-other';
const FILE_NAME = /^attachment; filename=(workspace-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.zip)$/;

/** Writes a file straight into the workspace folder, with an explicit mode so the umask cannot matter. */
async function place(root: string, path: string, content: Uint8Array | string, mode = 0o644): Promise<void> {
  const absolute = join(root, path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, content);
  await chmod(absolute, mode);
}

/** A scope folder as people build one: nested scripts, binaries small and large, an executable, an empty folder. */
async function generateScope(root: string, folder: string, files: number): Promise<void> {
  for (let i = 0; i < files; i++) {
    const path = `${folder}/team-${i % 7}/flow-${i % 13}/script-${i}.${['ps1', 'py', 'sh', 'json'][i % 4]}`;
    const content =
      i % 25 === 0 ? randomBytes(1_000 + i * 37) : `# script ${i}\n${'Write-Output "step"\n'.repeat(1 + (i % 40))}`;
    await place(root, path, content);
  }
  await place(
    root,
    `${folder}/bin/tool`,
    Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0xff]), randomBytes(20_000)]),
    0o755,
  );
  await place(root, `${folder}/bin/large.dat`, randomBytes(2 * 1024 * 1024 + 17));
  await place(root, `${folder}/bin/over-read-ahead.dat`, randomBytes(600 * 1024));
  await place(root, `${folder}/ünïcode/skript ä.ps1`, 'Write-Host "ä"');
  await place(root, `${folder}/empty.txt`, '');
  await mkdir(join(root, folder, 'empty-folder/inner'), { recursive: true });
}

/** Zip download over HTTP against a generated workspace, unpacked with yauzl and compared byte for byte. */
describe('workspace download API', () => {
  let api: ApiHarness;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    api = await ApiHarness.start();
    [admin, reader] = await Promise.all([api.admin(), api.orgUser([ORG])]);
    await generateScope(api.workspaceRoot, `orgs/${ORG}`, 320);
    await generateScope(api.workspaceRoot, `orgs/${OTHER_ORG}`, 20);
    await generateScope(api.workspaceRoot, 'global', 15);
    // The service's private folder holds temp files; it must never reach an archive.
    await place(api.workspaceRoot, '.workspace-sync/private-marker.txt', 'not workspace content');
  });
  afterAll(async () => {
    await api?.stop();
  });

  const download = (token: string, headers: Record<string, string>, query: Record<string, string> = {}) =>
    api.call('GET', workspaceUrl('download', query), { token, headers });

  /** The archive must hold exactly what the folder holds: paths, kinds, bytes and modes. */
  async function expectZipOf(bytes: Uint8Array, folder: string, skip?: (path: string) => boolean): Promise<number> {
    const entries = withoutTimes(await readZip(bytes));
    const expected = await snapshotFolder(folder, skip ? { skip } : {});
    expect(diffSnapshots(entries, expected)).toEqual([]);
    return entries.size;
  }

  it("an organisation user gets the organisation's folder as a named zip that unpacks to identical bytes", async () => {
    const before = Date.now();
    // An edit through the API right before the download is in it.
    const editor = await api.orgUser([ORG], { editor: true });
    const saved = await api.call('PUT', filesUrl('bin/run.sh', { executable: 'true' }), {
      token: editor,
      body: '#!/bin/sh\necho hi\n',
      headers: { ...orgHeader(ORG), 'content-type': 'text/plain' },
    });
    expect(saved.status).toBe(201);

    const answer = await download(reader, orgHeader(ORG));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/zip');
    const disposition = answer.headers.get('content-disposition') ?? '';
    const [, , year, month, day, hour, minute, second] = FILE_NAME.exec(disposition) ?? [];
    expect(disposition).toMatch(FILE_NAME);
    const stamped = Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
    );
    expect(stamped).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stamped).toBeLessThanOrEqual(Date.now());

    const count = await expectZipOf(answer.bytes, join(api.workspaceRoot, 'orgs', ORG));
    expect(count).toBeGreaterThan(320);
    const entries = await readZip(answer.bytes);
    expect(entries.get('bin/tool')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(entries.get('bin/run.sh')).toMatchObject({ kind: 'file', mode: 0o755, size: 18 });
    expect(entries.get('empty-folder/inner')).toMatchObject({ kind: 'directory' });
    expect([...entries.keys()].filter((name) => /org-zip-other|global|workspace-sync|^\/|\.\./.test(name))).toEqual([]);
  });

  it('all=true is refused to an organisation user; another organisation and GLOBAL are refused too', async () => {
    for (const [who, headers, query] of [
      ['all=true for its own organisation', orgHeader(ORG), { all: 'true' }],
      ['another organisation', orgHeader(OTHER_ORG), {}],
      ['GLOBAL (no header)', {}, {}],
    ] as const) {
      const refused = await download(reader, headers, query);
      expect({ who, status: refused.status, error: refused.json?.error }).toEqual({
        who,
        status: 403,
        error: 'Forbidden',
      });
    }
    const bad = await download(admin, {}, { all: 'yes' });
    expect([bad.status, bad.json.error]).toEqual([400, 'InvalidQuery']);
  });

  it('an admin gets GLOBAL without a header, and every scope but never the private folder with all=true', async () => {
    const global = await download(admin, {});
    expect(global.status).toBe(200);
    await expectZipOf(global.bytes, join(api.workspaceRoot, 'global'));

    const all = await download(admin, {}, { all: 'true' });
    expect(all.status).toBe(200);
    expect(all.headers.get('content-disposition')).toMatch(FILE_NAME);
    await expectZipOf(all.bytes, api.workspaceRoot, (path) => path === '.workspace-sync');
    const names = [...(await readZip(all.bytes)).keys()];
    expect(names.filter((name) => name.toLowerCase().startsWith('.workspace-sync'))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining(['global/bin/tool', `orgs/${ORG}/bin/tool`, `orgs/${OTHER_ORG}/bin/tool`]),
    );
  });

  it('an organisation without files downloads as an empty, valid zip', async () => {
    const answer = await download(await api.orgUser(['org-zip-empty']), orgHeader('org-zip-empty'));
    expect(answer.status).toBe(200);
    expect((await readZip(answer.bytes)).size).toBe(0);
  });

  it('every answer matched /api/openapi.json', () => {
    expect(api.violations).toEqual([]);
  });
});
