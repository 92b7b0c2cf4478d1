import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/domain/shared/Scope';
import { TYPES } from '../../src/host/identifiers';
import { readZip } from '../adapters/zip/readZip';
import { ApiHarness } from '../support/apiHarness';
import { connectionFor, filesUrl, listTree, orgHeader, sha256, workspaceUrl } from './workspaceApi';

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const ORG = 'org-files';

/** The files API over HTTP: the real local host, Entra tokens from a local issuer, Azurite metadata. */
describe('workspace files API', () => {
  let api: ApiHarness;
  let admin: string;
  let editor: string;
  let reader: string;
  let otherEditor: string;
  const inOrg = orgHeader(ORG);
  const onDisk = (path: string, org = ORG) => join(api.workspaceRoot, 'orgs', org, path);
  const put = (path: string, body: Uint8Array | string, headers: Record<string, string> = {}, org = ORG) =>
    api.call('PUT', filesUrl(path), {
      token: editor,
      body,
      headers: { 'content-type': 'application/octet-stream', ...orgHeader(org), ...headers },
    });
  const putJson = (path: string, json: unknown, headers: Record<string, string> = {}) =>
    api.call('PUT', filesUrl(path), { token: editor, json, headers: { ...inOrg, ...headers } });
  const getRaw = (path: string, org = ORG) =>
    api.call('GET', filesUrl(path), {
      token: editor,
      headers: { ...orgHeader(org), accept: 'application/octet-stream' },
    });
  const getJson = (path: string) => api.call('GET', filesUrl(path), { token: editor, headers: inOrg });
  const metadata = () => api.host.container.get(TYPES.MetadataRepo);

  beforeAll(async () => {
    api = await ApiHarness.start({ MAX_FILE_BYTES: String(MAX_FILE_BYTES) });
    [admin, editor, reader, otherEditor] = await Promise.all([
      api.admin(),
      api.orgUser([ORG, 'org-status', 'org-fuzz'], { editor: true }),
      api.orgUser([ORG]),
      api.orgUser(['org-other'], { editor: true }),
    ]);
  });
  afterAll(async () => {
    await api?.stop();
  });

  describe('status codes', () => {
    it('PUT creates with 201 and replaces with 200; GET answers JSON or raw; DELETE 204, then 404', async () => {
      const created = await put('scripts/hello.ps1', 'Write-Host "hi"', {
        'content-type': 'text/plain; charset=utf-8',
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        path: 'scripts/hello.ps1',
        created: true,
        size: 15,
        etag: sha256(Buffer.from('Write-Host "hi"')),
      });
      expect(created.headers.get('etag')).toBe(`"${created.json.etag}"`);
      expect(await readFile(onDisk('scripts/hello.ps1'), 'utf8')).toBe('Write-Host "hi"');

      const replaced = await put('scripts/hello.ps1', 'Write-Host "bye"', { 'if-match': created.headers.get('etag')! });
      expect(replaced.status).toBe(200);
      expect(replaced.json).toMatchObject({ created: false, size: 16, etag: sha256(Buffer.from('Write-Host "bye"')) });

      const read = await getJson('scripts/hello.ps1');
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({
        path: 'scripts/hello.ps1',
        encoding: 'utf8',
        content: 'Write-Host "bye"',
        size: 16,
        etag: replaced.json.etag,
        executable: false,
      });
      expect(read.headers.get('etag')).toBe(`"${replaced.json.etag}"`);
      const text = await api.call('GET', filesUrl('scripts/hello.ps1'), {
        token: reader,
        headers: { ...inOrg, accept: 'text/plain' },
      });
      expect(text.status).toBe(200);
      expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(text.bytes.toString('utf8')).toBe('Write-Host "bye"');

      const listed = await api.call('GET', workspaceUrl('tree', { path: 'scripts' }), {
        token: reader,
        headers: inOrg,
      });
      expect(listed.status).toBe(200);
      expect(listed.json.entries).toEqual([
        expect.objectContaining({ path: 'scripts/hello.ps1', kind: 'file', size: 16, executable: false }),
      ]);

      const deleted = await api.call('DELETE', filesUrl('scripts/hello.ps1'), { token: editor, headers: inOrg });
      expect(deleted.status).toBe(204);
      expect(deleted.bytes.byteLength).toBe(0);
      expect((await getJson('scripts/hello.ps1')).json.error).toBe('NotFound');
      const again = await api.call('DELETE', filesUrl('scripts/hello.ps1'), { token: editor, headers: inOrg });
      expect([again.status, again.json.error]).toEqual([404, 'NotFound']);
      const missingFolder = await api.call('GET', workspaceUrl('tree', { path: 'no/such' }), {
        token: editor,
        headers: inOrg,
      });
      expect([missingFolder.status, missingFolder.json.error]).toEqual([404, 'NotFound']);
    });

    it('400 InvalidPath names the rule of the path policy, for writes and reads alike', async () => {
      const cases: Array<[string, string]> = [
        ['../x', 'Traversal'],
        ['a/../../x', 'Traversal'],
        ['/etc/passwd', 'Absolute'],
        ['\\windows\\x', 'Absolute'],
        ['C:/x.ps1', 'Absolute'],
        ['a\u0000b', 'ControlCharacter'],
        ['a/b\u0000/../../c', 'ControlCharacter'],
        ['a\\..\\..\\x', 'ReservedCharacter'],
        ['CON.txt', 'ReservedName'],
        ['trailing./x', 'TrailingDotOrSpace'],
        ['./', 'Empty'],
      ];
      const before = await listTree(api.dir, (path) => path === 'data');
      for (const [path, reason] of cases) {
        const saved = await put(path, 'x');
        expect({ path, status: saved.status, error: saved.json.error, reason: saved.json.reason }).toEqual({
          path,
          status: 400,
          error: 'InvalidPath',
          reason,
        });
        const read = await getJson(path);
        expect({ path, status: read.status, reason: read.json.reason }).toEqual({ path, status: 400, reason });
      }
      expect(await listTree(api.dir, (path) => path === 'data')).toEqual(before);
    });

    it('400 InvalidQuery, InvalidJson, ValidationFailed, InvalidBase64 and InvalidPrecondition', async () => {
      const noPath = await api.call('PUT', workspaceUrl('files'), {
        token: editor,
        body: 'x',
        headers: { ...inOrg, 'content-type': 'text/plain' },
      });
      expect([noPath.status, noPath.json.error]).toEqual([400, 'InvalidQuery']);
      const emptyPath = await getJson('');
      expect([emptyPath.status, emptyPath.json.error]).toEqual([400, 'InvalidQuery']);
      const badFlag = await api.call('PUT', filesUrl('a.sh', { executable: 'yes' }), {
        token: editor,
        body: 'x',
        headers: { ...inOrg, 'content-type': 'text/plain' },
      });
      expect([badFlag.status, badFlag.json.error]).toEqual([400, 'InvalidQuery']);
      const tooLong = await getJson('a/'.repeat(2100));
      expect([tooLong.status, tooLong.json.error]).toEqual([400, 'InvalidQuery']);

      const notJson = await put('a.json', '{"content":', { 'content-type': 'application/json' });
      expect([notJson.status, notJson.json.error]).toEqual([400, 'InvalidJson']);
      for (const json of [
        { text: 'x' },
        { content: 1 },
        { content: 'x', encoding: 'hex' },
        { content: 'x', extra: true },
      ]) {
        const invalid = await putJson('a.txt', json);
        expect({ json, status: invalid.status, error: invalid.json.error }).toEqual({
          json,
          status: 400,
          error: 'ValidationFailed',
        });
      }
      for (const content of ['!!!!', 'abc', 'YW Jj', 'YWJj=', 'YQ===']) {
        const invalid = await putJson('a.bin', { content, encoding: 'base64' });
        expect({ content, status: invalid.status, error: invalid.json.error }).toEqual({
          content,
          status: 400,
          error: 'InvalidBase64',
        });
      }

      const preconditions: Array<[string, Record<string, string>]> = [
        ['PUT', { 'if-none-match': '"abc"' }],
        ['PUT', { 'if-match': '"abc"', 'if-none-match': '*' }],
        ['DELETE', { 'if-none-match': '*' }],
      ];
      for (const [method, headers] of preconditions) {
        const refused = await api.call(method, filesUrl('a.txt'), {
          token: editor,
          body: method === 'PUT' ? 'x' : undefined,
          headers: { ...inOrg, 'content-type': 'text/plain', ...headers },
        });
        expect({ method, headers, status: refused.status, error: refused.json.error }).toEqual({
          method,
          headers,
          status: 400,
          error: 'InvalidPrecondition',
        });
      }
      expect(await readdir(join(api.workspaceRoot, 'orgs', ORG)).catch(() => [])).not.toContain('a.txt');
    });

    it('403 GitHubSyncEnabled while the scope has a connection, and writes succeed right after it is removed', async () => {
      const scope = 'org-managed';
      const token = await api.orgUser([scope], { editor: true });
      const call = (method: string, path: string, body?: string) =>
        api.call(method, filesUrl(path), {
          token,
          ...(body === undefined ? {} : { body }),
          headers: { ...orgHeader(scope), 'content-type': 'text/plain' },
        });
      expect((await call('PUT', 'keep.ps1', 'v1')).status).toBe(201);

      await metadata().saveConnection(connectionFor(scope));
      for (const [method, path, body] of [
        ['PUT', 'keep.ps1', 'v2'],
        ['PUT', 'new.ps1', 'v1'],
        ['DELETE', 'keep.ps1', undefined],
      ] as const) {
        const refused = await call(method, path, body);
        expect({ method, path, status: refused.status, error: refused.json.error }).toEqual({
          method,
          path,
          status: 403,
          error: 'GitHubSyncEnabled',
        });
        expect(refused.json.message).toContain('acme/scripts');
      }
      const folder = await api.call('POST', workspaceUrl('folders', { path: 'f' }), {
        token,
        headers: orgHeader(scope),
      });
      expect([folder.status, folder.json.error]).toEqual([403, 'GitHubSyncEnabled']);
      const moved = await api.call('POST', workspaceUrl('move'), {
        token,
        json: { from: 'keep.ps1', to: 'k.ps1' },
        headers: orgHeader(scope),
      });
      expect([moved.status, moved.json.error]).toEqual([403, 'GitHubSyncEnabled']);
      // Reading stays allowed, and nothing changed.
      const read = await api.call('GET', filesUrl('keep.ps1'), { token, headers: orgHeader(scope) });
      expect([read.status, read.json.content]).toEqual([200, 'v1']);
      expect(await readdir(join(api.workspaceRoot, 'orgs', scope))).toEqual(['keep.ps1']);

      await metadata().deleteConnection(scope as Scope);
      expect((await call('PUT', 'keep.ps1', 'v2')).status).toBe(200);
      expect((await call('PUT', 'new.ps1', 'v1')).status).toBe(201);
      expect((await call('DELETE', 'keep.ps1')).status).toBe(204);
    });

    it('409 when a folder is where a file should be, or a file where a folder should be', async () => {
      expect((await put('tree/leaf.txt', 'leaf')).status).toBe(201);
      const onFolder = await put('tree', 'x');
      expect([onFolder.status, onFolder.json.error]).toEqual([409, 'NotAFile']);
      const underFile = await put('tree/leaf.txt/inner.txt', 'x');
      expect([underFile.status, underFile.json.error]).toEqual([409, 'NotAFolder']);
      const readFolder = await getJson('tree');
      expect([readFolder.status, readFolder.json.error]).toEqual([409, 'NotAFile']);
      const deleteFolder = await api.call('DELETE', filesUrl('tree'), { token: editor, headers: inOrg });
      expect([deleteFolder.status, deleteFolder.json.error]).toEqual([409, 'NotAFile']);
      expect(await readFile(onDisk('tree/leaf.txt'), 'utf8')).toBe('leaf');
    });

    it('412 for a stale If-Match, If-Match on a missing file, and If-None-Match: * on an existing file', async () => {
      const first = await put('guarded.txt', 'one', { 'if-none-match': '*' });
      expect(first.status).toBe(201);
      const second = await put('guarded.txt', 'two', { 'if-match': first.headers.get('etag')! });
      expect(second.status).toBe(200);

      const stale = await put('guarded.txt', 'three', { 'if-match': first.headers.get('etag')! });
      expect([stale.status, stale.json.error]).toEqual([412, 'PreconditionFailed']);
      const createOnly = await put('guarded.txt', 'three', { 'if-none-match': '*' });
      expect([createOnly.status, createOnly.json.error]).toEqual([412, 'PreconditionFailed']);
      const missing = await put('never-there.txt', 'x', { 'if-match': first.headers.get('etag')! });
      expect([missing.status, missing.json.error]).toEqual([412, 'PreconditionFailed']);
      const weak = await put('guarded.txt', 'three', { 'if-match': `W/${second.headers.get('etag')!}` });
      expect([weak.status, weak.json.error]).toEqual([412, 'PreconditionFailed']);
      const staleDelete = await api.call('DELETE', filesUrl('guarded.txt'), {
        token: editor,
        headers: { ...inOrg, 'if-match': first.headers.get('etag')! },
      });
      expect([staleDelete.status, staleDelete.json.error]).toEqual([412, 'PreconditionFailed']);
      expect(await readFile(onDisk('guarded.txt'), 'utf8')).toBe('two');
      await expect(readFile(onDisk('never-there.txt'))).rejects.toThrow(/ENOENT/);

      const current = await api.call('DELETE', filesUrl('guarded.txt'), {
        token: editor,
        headers: { ...inOrg, 'if-match': second.headers.get('etag')! },
      });
      expect(current.status).toBe(204);
    });

    it('413 past MAX_FILE_BYTES, raw or base64, and the limit itself is accepted', async () => {
      const exactly = randomBytes(MAX_FILE_BYTES);
      expect((await put('big/limit.bin', exactly)).status).toBe(201);
      expect(sha256(await readFile(onDisk('big/limit.bin')))).toBe(sha256(exactly));

      const over = randomBytes(MAX_FILE_BYTES + 1);
      const raw = await put('big/over.bin', over);
      expect([raw.status, raw.json.error]).toEqual([413, 'PayloadTooLarge']);
      const replacing = await put('big/limit.bin', over);
      expect([replacing.status, replacing.json.error]).toEqual([413, 'PayloadTooLarge']);
      const encoded = await putJson('big/over64.bin', { content: over.toString('base64'), encoding: 'base64' });
      expect([encoded.status, encoded.json.error]).toEqual([413, 'PayloadTooLarge']);
      const text = await putJson('big/over.txt', { content: 'x'.repeat(MAX_FILE_BYTES + 1) });
      expect([text.status, text.json.error]).toEqual([413, 'PayloadTooLarge']);

      expect((await readdir(onDisk('big'))).sort()).toEqual(['limit.bin']);
      expect(sha256(await readFile(onDisk('big/limit.bin')))).toBe(sha256(exactly));
    });

    it('415 for a body type the API does not take', async () => {
      for (const type of [
        'application/xml',
        'image/png',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
      ]) {
        const refused = await put('typed.txt', 'x', { 'content-type': type });
        expect({ type, status: refused.status, error: refused.json.error }).toEqual({
          type,
          status: 415,
          error: 'UnsupportedMediaType',
        });
      }
      await expect(readFile(onDisk('typed.txt'))).rejects.toThrow(/ENOENT/);
    });

    it('401 without a valid token; 403 for a reader writing, an editor of another organisation, and an org user on GLOBAL', async () => {
      const anonymous = await api.call('PUT', filesUrl('authz.txt'), {
        token: null,
        body: 'x',
        headers: { ...inOrg, 'content-type': 'text/plain' },
      });
      expect([anonymous.status, anonymous.json.error]).toEqual([401, 'MissingToken']);
      const expired = await api.call('GET', filesUrl('authz.txt'), {
        token: await api.issuer.sign({ roles: ['Workspace.Admin'] }, { expiresInSeconds: -600 }),
        headers: inOrg,
      });
      expect(expired.status).toBe(401);

      expect((await put('authz.txt', 'mine')).status).toBe(201);
      const readerWrites = await api.call('PUT', filesUrl('authz.txt'), {
        token: reader,
        body: 'x',
        headers: { ...inOrg, 'content-type': 'text/plain' },
      });
      expect([readerWrites.status, readerWrites.json.error]).toEqual([403, 'Forbidden']);
      const readerDeletes = await api.call('DELETE', filesUrl('authz.txt'), { token: reader, headers: inOrg });
      expect([readerDeletes.status, readerDeletes.json.error]).toEqual([403, 'Forbidden']);
      expect((await api.call('GET', filesUrl('authz.txt'), { token: reader, headers: inOrg })).status).toBe(200);

      for (const method of ['GET', 'PUT', 'DELETE']) {
        const foreign = await api.call(method, filesUrl('authz.txt'), {
          token: otherEditor,
          ...(method === 'PUT' ? { body: 'x' } : {}),
          headers: { ...inOrg, 'content-type': 'text/plain' },
        });
        expect({ method, status: foreign.status, error: foreign.json.error }).toEqual({
          method,
          status: 403,
          error: 'Forbidden',
        });
      }
      // No header = GLOBAL, which only MSP admins may touch.
      const global = await api.call('PUT', filesUrl('authz.txt'), {
        token: editor,
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect([global.status, global.json.error]).toEqual([403, 'Forbidden']);
      expect(await readFile(onDisk('authz.txt'), 'utf8')).toBe('mine');

      const byAdmin = await api.call('PUT', filesUrl('authz.txt'), {
        token: admin,
        body: 'admin',
        headers: { 'content-type': 'text/plain' },
      });
      expect(byAdmin.status).toBe(201);
      expect(await readFile(join(api.workspaceRoot, 'global', 'authz.txt'), 'utf8')).toBe('admin');
    });
  });

  describe('folders and moves', () => {
    it('create, refuse to delete a non-empty folder, delete recursively, move with and without overwrite', async () => {
      const folders = (method: string, query: Record<string, string>) =>
        api.call(method, workspaceUrl('folders', query), { token: editor, headers: inOrg });
      const move = (json: unknown, headers: Record<string, string> = {}) =>
        api.call('POST', workspaceUrl('move'), { token: editor, json, headers: { ...inOrg, ...headers } });
      expect((await folders('POST', { path: 'mv/src' })).json).toEqual({ path: 'mv/src', created: true });
      expect((await folders('POST', { path: 'mv/src' })).status).toBe(200);
      const one = await put('mv/src/one.txt', 'one');
      expect((await put('mv/two.txt', 'two')).status).toBe(201);
      const onFile = await folders('POST', { path: 'mv/two.txt' });
      expect([onFile.status, onFile.json.error]).toEqual([409, 'AlreadyExists']);

      const taken = await move({ from: 'mv/src/one.txt', to: 'mv/two.txt' });
      expect([taken.status, taken.json.error]).toEqual([409, 'AlreadyExists']);
      const stale = await move({ from: 'mv/src/one.txt', to: 'mv/three.txt' }, { 'if-match': '"0000"' });
      expect([stale.status, stale.json.error]).toEqual([412, 'PreconditionFailed']);
      const traversal = await move({ from: 'mv/src/one.txt', to: '../org-other/one.txt' });
      expect([traversal.status, traversal.json.error, traversal.json.reason]).toEqual([
        400,
        'InvalidPath',
        'Traversal',
      ]);
      const replaced = await move(
        { from: 'mv/src/one.txt', to: 'mv/two.txt', overwrite: true },
        { 'if-match': one.headers.get('etag')! },
      );
      expect(replaced.json).toEqual({ from: 'mv/src/one.txt', to: 'mv/two.txt', kind: 'file', replaced: true });
      expect(await readFile(onDisk('mv/two.txt'), 'utf8')).toBe('one');
      const gone = await move({ from: 'mv/src/one.txt', to: 'mv/x.txt' });
      expect([gone.status, gone.json.error]).toEqual([404, 'NotFound']);

      expect((await put('mv/src/inner/deep.txt', 'deep')).status).toBe(201);
      const notEmpty = await folders('DELETE', { path: 'mv' });
      expect([notEmpty.status, notEmpty.json.error]).toEqual([409, 'FolderNotEmpty']);
      expect((await folders('DELETE', { path: 'mv', recursive: 'true' })).json).toEqual({
        path: 'mv',
        removedFiles: 2,
      });
      await expect(readdir(onDisk('mv'))).rejects.toThrow(/ENOENT/);
      const missing = await folders('DELETE', { path: 'mv' });
      expect([missing.status, missing.json.error]).toEqual([404, 'NotFound']);
    });
  });

  describe('content', () => {
    it('binary bytes (NUL, invalid UTF-8) round-trip through base64 JSON and raw octet-stream', async () => {
      const payloads = [
        Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x00]), randomBytes(70_000)]),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('text with a NUL\u0000 inside'),
        Buffer.alloc(0),
      ];
      for (const [index, bytes] of payloads.entries()) {
        for (const via of ['json', 'raw'] as const) {
          const path = `bin/${via}-${index}.dat`;
          const saved =
            via === 'json'
              ? await putJson(path, { content: bytes.toString('base64'), encoding: 'base64', executable: true })
              : await api.call('PUT', filesUrl(path, { executable: 'true' }), {
                  token: editor,
                  body: bytes,
                  headers: { ...inOrg, 'content-type': 'application/octet-stream' },
                });
          expect({ path, status: saved.status }).toEqual({ path, status: 201 });
          expect(saved.json).toMatchObject({ size: bytes.byteLength, etag: sha256(bytes) });

          const raw = await getRaw(path);
          expect(raw.headers.get('content-type')).toBe('application/octet-stream');
          expect(raw.bytes.equals(bytes)).toBe(true);
          expect(raw.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
          const json = await getJson(path);
          expect(json.json).toMatchObject({ size: bytes.byteLength, etag: sha256(bytes), executable: true });
          const decoded =
            json.json.encoding === 'base64'
              ? Buffer.from(json.json.content, 'base64')
              : Buffer.from(json.json.content, 'utf8');
          expect(decoded.equals(bytes)).toBe(true);
          if (bytes.includes(0) || bytes.byteLength === 2) expect(json.json.encoding).toBe('base64');
          expect((await readFile(onDisk(path))).equals(bytes)).toBe(true);
        }
      }
    });

    it('UTF-8 text is answered as utf8, byte for byte, including non-NFC text', async () => {
      const content = 'é = e\u0301 ✓ 😀\r\n';
      expect((await putJson('text/unicode.txt', { content })).status).toBe(201);
      const read = await getJson('text/unicode.txt');
      expect(read.json).toMatchObject({ encoding: 'utf8', content, size: Buffer.byteLength(content) });
    });

    it('a save keeps the executable bit unless told otherwise', async () => {
      expect((await putJson('exec/run.sh', { content: '#!/bin/sh\n', executable: true })).status).toBe(201);
      expect((await put('exec/run.sh', '#!/bin/sh\necho\n')).status).toBe(200);
      expect((await getJson('exec/run.sh')).json.executable).toBe(true);
      expect(
        (
          await api.call('PUT', filesUrl('exec/run.sh', { executable: 'false' }), {
            token: editor,
            body: '#!/bin/sh\n',
            headers: { ...inOrg, 'content-type': 'text/plain' },
          })
        ).status,
      ).toBe(200);
      expect((await getJson('exec/run.sh')).json.executable).toBe(false);
    });
  });

  describe('concurrency', () => {
    it('two writers with the same If-Match: exactly one 200, the other 412, and the winner is on disk', async () => {
      for (let round = 0; round < 3; round++) {
        const path = `race/file-${round}.txt`;
        const base = await put(path, 'base');
        const etag = base.headers.get('etag')!;
        const [a, b] = await Promise.all([
          put(path, 'from A', { 'if-match': etag }),
          put(path, 'from B', { 'if-match': etag }),
        ]);
        expect([a.status, b.status].sort()).toEqual([200, 412]);
        const loser = a.status === 412 ? a : b;
        expect(loser.json.error).toBe('PreconditionFailed');
        expect(await readFile(onDisk(path), 'utf8')).toBe(a.status === 200 ? 'from A' : 'from B');
      }
    });

    it('a reader sees each ~4 MB save whole or not at all', async () => {
      const versions = Array.from({ length: 5 }, () => randomBytes(4_000_000));
      const known = new Set(versions.map(sha256));
      expect((await put('large/blob.bin', versions[0]!)).status).toBe(201);

      let writing = true;
      const seen: string[] = [];
      const readerLoop = (async () => {
        while (writing || seen.length < 5) {
          const read = await getRaw('large/blob.bin');
          expect(read.status).toBe(200);
          const hash = sha256(read.bytes);
          expect(known.has(hash), `read ${read.bytes.byteLength} bytes matching no written version`).toBe(true);
          expect(read.headers.get('etag')).toBe(`"${hash}"`);
          seen.push(hash);
        }
      })();
      try {
        for (const version of [...versions.slice(1), versions[0]!, versions[2]!]) {
          expect((await put('large/blob.bin', version)).status).toBe(200);
        }
      } finally {
        writing = false;
        await readerLoop;
      }
      expect(seen.length).toBeGreaterThanOrEqual(5);
    });
  });

  describe('path fuzzing', () => {
    const FUZZ_ORG = 'org-fuzz';
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '',
        '...',
        ' ',
        'a',
        'B',
        'con',
        'nul.txt',
        'x.',
        'x ',
        '.workspace-sync',
        'global',
        'orgs',
        ORG,
        '%2e%2e',
        '%2F',
        '..\\..',
        'C:',
        '~',
        '\u0000',
        '\u007f',
        'é',
        'e\u0301',
        '\ud800',
        '😀',
        'ü'.repeat(130),
        'x'.repeat(256),
      ),
      fc.string({ maxLength: 10 }),
      fc.string({ unit: 'binary', maxLength: 10 }),
    );
    const paths = fc.oneof(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/')),
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('\\')),
      fc
        .tuple(
          fc.constantFrom('/', '//', '\\', './', '../', 'C:\\', '/tmp/', '..//..//'),
          fc.array(segment, { maxLength: 4 }),
        )
        .map(([head, parts]) => head + parts.join('/')),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    );

    it('arbitrary paths answer 2xx or 400 and never write outside the organisation folder', async () => {
      const fuzzFolder = join(api.workspaceRoot, 'orgs', FUZZ_ORG);
      const outside = (path: string) => path === 'data' || path === `workspace/orgs/${FUZZ_ORG}`;
      const before = await listTree(api.dir, outside);
      const answered = { saved: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(paths, async (path) => {
          const marker = `fuzz ${randomBytes(8).toString('hex')}`;
          const saved = await api.call('PUT', filesUrl(path), {
            token: editor,
            body: marker,
            headers: { ...orgHeader(FUZZ_ORG), 'content-type': 'text/plain' },
          });
          if (saved.status === 400) {
            answered.refused++;
            expect(['InvalidPath', 'InvalidQuery']).toContain(saved.json.error);
          } else {
            answered.saved++;
            expect(saved.status).toBe(201);
            // Exactly one new file, inside the organisation folder, holding what was sent.
            const inside = [...(await listTree(fuzzFolder))].filter(([, kind]) => kind !== 'directory');
            expect(inside).toHaveLength(1);
            expect(await readFile(join(fuzzFolder, inside[0]![0]), 'utf8')).toBe(marker);
          }
          expect(await listTree(api.dir, outside)).toEqual(before);
          // Back to an empty organisation folder for the next run.
          await rm(fuzzFolder, { recursive: true, force: true });
        }),
        { numRuns: 100 },
      );
      // Both sides of the policy were exercised, not only refusals.
      expect(answered.saved).toBeGreaterThan(10);
      expect(answered.refused).toBeGreaterThan(10);
    });
  });

  describe('symbolic links planted on the volume', () => {
    // Links cannot be made through the API; someone with access to the volume plants them.
    const VICTIM = 'org-victim';
    const LINKED = 'org-linked';
    let outside: string;
    let linkedEditor: string;
    const treeOf = async (folder: string) => (await readdir(folder, { recursive: true })).map(String).sort();
    const move = (json: unknown, org = ORG) =>
      api.call('POST', workspaceUrl('move'), { token: editor, json, headers: orgHeader(org) });
    const folders = (method: string, query: Record<string, string>) =>
      api.call(method, workspaceUrl('folders', query), { token: editor, headers: inOrg });

    beforeAll(async () => {
      outside = join(api.dir, 'outside');
      await mkdir(join(outside, 'sub'), { recursive: true });
      await writeFile(join(outside, 'victim.ps1'), 'outside the workspace');
      await mkdir(join(api.workspaceRoot, 'orgs', VICTIM, 'sub'), { recursive: true });
      await writeFile(join(api.workspaceRoot, 'orgs', VICTIM, 'secret.ps1'), 'organisation b');
      expect((await put('linked/own.ps1', 'mine')).status).toBe(201);
      await symlink(`../../${VICTIM}`, onDisk('linked/link'));
      await symlink(outside, onDisk('linked/abs'));
      await symlink(`../../${VICTIM}/secret.ps1`, onDisk('linked/secret-link.ps1'));
      await symlink(outside, join(api.workspaceRoot, 'orgs', LINKED));
      linkedEditor = await api.orgUser([LINKED], { editor: true });
    });

    it('an editor of one organisation never reads, lists, writes, moves or deletes through a link', async () => {
      for (const path of ['linked/link/secret.ps1', 'linked/abs/victim.ps1', 'linked/secret-link.ps1']) {
        const read = await getJson(path);
        expect({ path, status: read.status, error: read.json.error }).toEqual({ path, status: 404, error: 'NotFound' });
        expect((await getRaw(path)).bytes.toString()).not.toMatch(/organisation b|outside the workspace/);
      }
      const listed = await api.call('GET', workspaceUrl('tree', { path: 'linked', recursive: 'true' }), {
        token: editor,
        headers: inOrg,
      });
      expect(listed.json.entries.map((entry: { path: string }) => entry.path)).toEqual(['linked/own.ps1']);
      const throughLink = await api.call('GET', workspaceUrl('tree', { path: 'linked/link' }), {
        token: editor,
        headers: inOrg,
      });
      expect([throughLink.status, throughLink.json.error]).toEqual([404, 'NotFound']);

      for (const path of ['linked/link/planted.ps1', 'linked/abs/planted.ps1', 'linked/link/sub/planted.ps1']) {
        const saved = await put(path, 'planted');
        expect({ path, status: saved.status, error: saved.json.error }).toEqual({
          path,
          status: 409,
          error: 'NotAFolder',
        });
        expect(saved.json.message).toMatch(/is a symbolic link/);
      }
      const movedIn = await move({ from: 'linked/own.ps1', to: 'linked/link/moved.ps1' });
      expect([movedIn.status, movedIn.json.error]).toEqual([409, 'NotAFolder']);
      const movedOut = await move({ from: 'linked/link/secret.ps1', to: 'linked/stolen.ps1' });
      expect([movedOut.status, movedOut.json.error]).toEqual([404, 'NotFound']);
      const deleted = await api.call('DELETE', filesUrl('linked/link/secret.ps1'), { token: editor, headers: inOrg });
      expect([deleted.status, deleted.json.error]).toEqual([404, 'NotFound']);
      const folderBelow = await folders('POST', { path: 'linked/abs/sub/made' });
      expect([folderBelow.status, folderBelow.json.error]).toEqual([409, 'NotAFolder']);
      const folderGone = await folders('DELETE', { path: 'linked/link', recursive: 'true' });
      expect([folderGone.status, folderGone.json.error]).toEqual([404, 'NotFound']);
      const subGone = await folders('DELETE', { path: 'linked/link/sub', recursive: 'true' });
      expect([subGone.status, subGone.json.error]).toEqual([404, 'NotFound']);

      expect(await treeOf(join(api.workspaceRoot, 'orgs', VICTIM))).toEqual(['secret.ps1', 'sub']);
      expect(await readFile(join(api.workspaceRoot, 'orgs', VICTIM, 'secret.ps1'), 'utf8')).toBe('organisation b');
      expect(await treeOf(outside)).toEqual(['sub', 'victim.ps1']);
      expect(await readFile(onDisk('linked/own.ps1'), 'utf8')).toBe('mine');
      expect((await lstat(onDisk('linked/link'))).isSymbolicLink()).toBe(true);
    });

    it('a scope folder that is a link lists as empty and refuses writes, without touching its target', async () => {
      const call = (method: string, path: string, body?: string) =>
        api.call(method, filesUrl(path), {
          token: linkedEditor,
          ...(body === undefined ? {} : { body }),
          headers: { ...orgHeader(LINKED), 'content-type': 'text/plain' },
        });
      const listed = await api.call('GET', workspaceUrl('tree', { recursive: 'true' }), {
        token: linkedEditor,
        headers: orgHeader(LINKED),
      });
      expect([listed.status, listed.json.entries]).toEqual([200, []]);
      expect((await call('GET', 'victim.ps1')).status).toBe(404);
      const saved = await call('PUT', 'victim.ps1', 'overwritten');
      expect([saved.status, saved.json.error]).toEqual([409, 'NotAFolder']);
      expect((await call('DELETE', 'victim.ps1')).status).toBe(404);
      const made = await api.call('POST', workspaceUrl('folders', { path: 'sub/new' }), {
        token: linkedEditor,
        headers: orgHeader(LINKED),
      });
      expect([made.status, made.json.error]).toEqual([409, 'NotAFolder']);
      expect(await treeOf(outside)).toEqual(['sub', 'victim.ps1']);
      expect(await readFile(join(outside, 'victim.ps1'), 'utf8')).toBe('outside the workspace');
    });

    it("the zip download holds the organisation's own files, none of a link's target", async () => {
      const answer = await api.call('GET', workspaceUrl('download'), { token: reader, headers: inOrg });
      expect(answer.status).toBe(200);
      const names = [...(await readZip(answer.bytes)).keys()];
      expect(names).toContain('linked/own.ps1');
      expect(names.filter((name) => name.startsWith('linked/'))).toEqual(['linked/own.ps1']);
      const linked = await api.call('GET', workspaceUrl('download'), {
        token: linkedEditor,
        headers: orgHeader(LINKED),
      });
      expect(linked.status).toBe(200);
      expect([...(await readZip(linked.bytes)).keys()]).toEqual([]);
    });
  });

  describe('names stored in NFD on the volume (macOS tools)', () => {
    it('are listed, and can be read, moved and deleted by the listed name and by its NFC form', async () => {
      const nfd = 'cafe\u0301';
      await mkdir(onDisk(`nfd/${nfd}`), { recursive: true });
      await writeFile(onDisk(`nfd/${nfd}/${nfd}.ps1`), 'Write-Host "NFD"');
      await writeFile(onDisk(`nfd/${nfd}.txt`), 'second');
      const listed = await api.call('GET', workspaceUrl('tree', { path: 'nfd', recursive: 'true' }), {
        token: editor,
        headers: inOrg,
      });
      const paths: string[] = listed.json.entries.map((entry: { path: string }) => entry.path);
      expect(paths).toEqual([`nfd/${nfd}`, `nfd/${nfd}.txt`, `nfd/${nfd}/${nfd}.ps1`]);

      for (const path of [paths[2]!, paths[2]!.normalize('NFC')]) {
        const read = await getJson(path);
        expect({ path, status: read.status, content: read.json.content }).toEqual({
          path,
          status: 200,
          content: 'Write-Host "NFD"',
        });
      }
      const saved = await put(paths[2]!, 'Write-Host "edited"', {
        'if-match': (await getJson(paths[2]!)).headers.get('etag')!,
      });
      expect(saved.status).toBe(200);
      const moved = await api.call('POST', workspaceUrl('move'), {
        token: editor,
        json: { from: paths[1], to: 'nfd/renamed.txt' },
        headers: inOrg,
      });
      expect(moved.status).toBe(200);
      const deleted = await api.call('DELETE', filesUrl(paths[2]!), { token: editor, headers: inOrg });
      expect(deleted.status).toBe(204);
      // The save went into the listed folder and gave it the NFC name the API uses: one folder, not two.
      expect((await readdir(onDisk('nfd'), { recursive: true })).map(String).sort()).toEqual([
        nfd.normalize('NFC'),
        'renamed.txt',
      ]);
      expect(await readFile(onDisk('nfd/renamed.txt'), 'utf8')).toBe('second');
      const folderGone = await api.call('DELETE', workspaceUrl('folders', { path: `nfd/${nfd}` }), {
        token: editor,
        headers: inOrg,
      });
      expect(folderGone.status).toBe(200);
      expect(await readdir(onDisk('nfd'))).toEqual(['renamed.txt']);
    });
  });

  describe('status', () => {
    it('counts files, folders and bytes, and says manual-edit or github-sync with the connection', async () => {
      const scope = 'org-status';
      const status = () => api.call('GET', workspaceUrl('status'), { token: editor, headers: orgHeader(scope) });
      const empty = await status();
      expect(empty.status).toBe(200);
      expect(empty.json).toEqual({
        scope,
        mode: 'manual-edit',
        readOnly: false,
        connection: null,
        files: 0,
        folders: 0,
        totalBytes: 0,
        lastModified: null,
      });

      const sizes = { 'a.ps1': 10, 'lib/b.py': 1000, 'lib/deep/c.bin': 70_000 };
      for (const [path, size] of Object.entries(sizes))
        expect((await put(path, randomBytes(size), {}, scope)).status).toBe(201);
      expect(
        (
          await api.call('POST', workspaceUrl('folders', { path: 'empty/inner' }), {
            token: editor,
            headers: orgHeader(scope),
          })
        ).status,
      ).toBe(201);
      const manual = await status();
      expect(manual.json).toMatchObject({
        scope,
        mode: 'manual-edit',
        readOnly: false,
        connection: null,
        files: 3,
        folders: 4,
        totalBytes: 71_010,
      });
      expect(Date.now() - Date.parse(manual.json.lastModified)).toBeLessThan(60_000);

      const lastSyncAt = new Date('2025-01-02T03:04:05.000Z');
      await metadata().saveConnection(
        connectionFor(scope, {
          repository: 'acme/status',
          branch: 'release/1',
          subPath: 'scripts',
          lastSyncedCommit: 'a'.repeat(40),
          lastSyncOutcome: 'succeeded',
          lastSyncAt,
        }),
      );
      try {
        const managed = await status();
        expect(managed.json).toMatchObject({
          scope,
          mode: 'github-sync',
          readOnly: true,
          files: 3,
          folders: 4,
          totalBytes: 71_010,
        });
        expect(managed.json.connection).toMatchObject({
          scope,
          repository: 'acme/status',
          branch: 'release/1',
          subPath: 'scripts',
          enabled: true,
          webhook: { mode: 'manual' },
          lastSyncedCommit: 'a'.repeat(40),
          lastSyncOutcome: 'succeeded',
          lastSyncAt: lastSyncAt.toISOString(),
        });
        expect(JSON.stringify(managed.json)).not.toMatch(/tokenRef|webhookSecretRef|token-org-status/);
        // A paused connection still makes the scope read-only.
        await metadata().saveConnection(connectionFor(scope, { enabled: false }));
        expect((await status()).json).toMatchObject({
          mode: 'github-sync',
          readOnly: true,
          connection: { enabled: false },
        });
      } finally {
        await metadata().deleteConnection(scope as Scope);
      }
      expect((await status()).json).toMatchObject({ mode: 'manual-edit', readOnly: false, connection: null });

      const foreign = await api.call('GET', workspaceUrl('status'), { token: otherEditor, headers: orgHeader(scope) });
      expect([foreign.status, foreign.json.error]).toEqual([403, 'Forbidden']);
    });
  });

  it('every answer matched /api/openapi.json', () => {
    expect(api.violations).toEqual([]);
  });
});
