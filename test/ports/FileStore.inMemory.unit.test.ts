import { describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../src/adapters/in-memory/InMemoryFileStore';
import { FileStoreError } from '../../src/ports/FileStore';
import { describeFileStoreContract } from './contracts/FileStore.contract';

describeFileStoreContract('in-memory (Linux-like)', async () => ({ adapter: new InMemoryFileStore() }));

// Stands in for Azure Files over SMB: names compare case-insensitively and modes are not kept.
describeFileStoreContract('in-memory (Azure Files-like)', async () => ({
  adapter: new InMemoryFileStore({ capabilities: { caseSensitive: false, executableBit: false } }),
}));

describe('InMemoryFileStore fault injection', () => {
  it('fails the next call of the named operation once per queued fault, then recovers', async () => {
    const store = new InMemoryFileStore();
    const bytes = new TextEncoder().encode('x');
    store.failNext('write');
    store.failNext('write', new FileStoreError('ReadOnly', 'share is read-only'));

    await expect(store.write('a.txt', bytes)).rejects.toMatchObject({ code: 'Unavailable', retryable: true });
    await expect(store.write('a.txt', bytes)).rejects.toMatchObject({ code: 'ReadOnly', retryable: false });
    expect(await store.read('a.txt')).toBeNull(); // failed writes changed nothing
    await store.write('a.txt', bytes);
    expect(await store.read('a.txt')).toEqual(bytes);
  });

  it('leaves other operations alone', async () => {
    const store = new InMemoryFileStore();
    store.failNext('rename');
    await store.write('a.txt', new Uint8Array([1]));
    await expect(store.rename('a.txt', 'b.txt')).rejects.toBeInstanceOf(FileStoreError);
    await store.rename('a.txt', 'b.txt');
    expect(await store.read('b.txt')).toEqual(new Uint8Array([1]));
  });

  it('keeps the first-created casing on a case-insensitive store', async () => {
    const store = new InMemoryFileStore({ capabilities: { caseSensitive: false } });
    await store.write('Scripts/Run.PS1', new Uint8Array([1]));
    await store.write('scripts/run.ps1', new Uint8Array([2]));
    expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual([
      'Scripts',
      'Scripts/Run.PS1',
    ]);
    expect(await store.read('SCRIPTS/RUN.ps1')).toEqual(new Uint8Array([2]));
  });
});
