import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../src/adapters/secrets/FileSecretStore';
import { describeSecretStoreContract } from './contracts/SecretStore.contract';

describeSecretStoreContract(
  'local JSON file',
  async (initial) => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-secrets-'));
    const file = path.join(folder, '.data', 'secrets.json');
    if (Object.keys(initial).length > 0) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify(initial), { mode: 0o600 });
    }
    return {
      adapter: new FileSecretStore(file),
      reopen: async () => new FileSecretStore(file),
      cleanup: () => fs.rm(folder, { recursive: true, force: true }),
    };
  },
  { writable: true },
);

describe('FileSecretStore specifics', () => {
  let folder: string;
  let file: string;

  beforeEach(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-secrets-'));
    file = path.join(folder, '.data', 'secrets.json');
  });

  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('creates the file (and its folder) with mode 0o600 as a JSON object, leaving no temp files', async () => {
    await new FileSecretStore(file).set('pat', 'ghp_abc');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ pat: 'ghp_abc' });
    expect(await fs.readdir(path.dirname(file))).toEqual(['secrets.json']);
  });

  it('keeps mode 0o600 when replacing a file that was more open', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"a":"1"}', { mode: 0o644 });
    await new FileSecretStore(file).set('b', '2');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ a: '1', b: '2' });
  });

  it('closes a secrets file made by hand readable by others (0o644) to the service user when it reads it', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"pat":"ghp_abc"}', { mode: 0o644 });
    await fs.chmod(file, 0o644);
    expect(await new FileSecretStore(file).get('pat')).toBe('ghp_abc');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('re-reads the file only when its modification time (or identity) changed', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"token":"AAAA"}');
    const pinned = new Date('2024-01-01T00:00:00Z');
    await fs.utimes(file, pinned, pinned);
    const store = new FileSecretStore(file);
    expect(await store.get('token')).toBe('AAAA');

    // Same length, same inode, same mtime: the cached value is still served (no re-read).
    await fs.writeFile(file, '{"token":"BBBB"}');
    await fs.utimes(file, pinned, pinned);
    expect(await store.get('token')).toBe('AAAA');

    const later = new Date('2024-01-01T00:00:01Z');
    await fs.utimes(file, later, later);
    expect(await store.get('token')).toBe('BBBB');
  });

  it('answers null when the file does not exist, and sees it once created', async () => {
    const store = new FileSecretStore(file);
    expect(await store.get('x')).toBeNull();
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"x":"now here"}');
    expect(await store.get('x')).toBe('now here');
  });

  it('reports a broken file without quoting its content', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"token": ghp_leaky_secret_value }');
    const error: unknown = await new FileSecretStore(file).get('token').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect(String((error as Error).message)).not.toContain('ghp_leaky');
    expect((error as Error).cause).toBeUndefined();
  });

  it('refuses a file that is not a JSON object', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '["a","b"]');
    await expect(new FileSecretStore(file).get('0')).rejects.toThrow(/JSON object/);
  });

  it('ignores values that are not strings, and keeps them on rewrite', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"number":42,"nested":{"a":"b"}}');
    const store = new FileSecretStore(file);
    expect(await store.get('number')).toBeNull();
    await store.set('text', 'value');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ number: 42, nested: { a: 'b' }, text: 'value' });
  });

  it('deletes by rewriting the file atomically, keeping every other entry and mode 0o600', async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"gone":"x","number":42,"kept":"y"}', { mode: 0o644 });
    await new FileSecretStore(file).delete('gone');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ number: 42, kept: 'y' });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(file))).toEqual(['secrets.json']);
  });

  it('leaves the file untouched (or absent) when deleting a name it does not hold', async () => {
    await new FileSecretStore(file).delete('nothing');
    await expect(fs.stat(path.dirname(file))).rejects.toMatchObject({ code: 'ENOENT' });

    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{"kept":"y"}');
    const before = await fs.stat(file, { bigint: true });
    await new FileSecretStore(file).delete('nothing');
    const after = await fs.stat(file, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
  });

  it('does not lose updates when one instance sets many secrets at once', async () => {
    const store = new FileSecretStore(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`secret-${i}`, `value-${i}`)));
    const onDisk = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(onDisk)).toHaveLength(20);
    const reader = new FileSecretStore(file);
    for (let i = 0; i < 20; i++) expect(await reader.get(`secret-${i}`)).toBe(`value-${i}`);
  });
});
