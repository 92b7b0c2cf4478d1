import { randomUUID } from 'node:crypto';
import { ShareServiceClient } from '@azure/storage-file-share';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureFilesFileStore } from '../../src/adapters/azure-files/AzureFilesFileStore';
import { createShareClient } from '../../src/adapters/azure-files/createShareClient';
import { FileStoreError } from '../../src/ports/FileStore';
import { AzureFilesPeer } from '../support/azureFilesPeer';
import { describeFileStoreContract, type FileStoreFixture } from './contracts/FileStore.contract';

/** Small pages, so that every listing of more than two entries goes through NextMarker continuation. */
const PAGE_SIZE = 2;
/** Retries the SDK makes itself, kept short so fault tests do not wait for its default back-off. */
const FAST_RETRIES = { maxTries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 10 };

let peer: AzureFilesPeer;
beforeAll(async () => {
  peer = await AzureFilesPeer.start();
});
afterAll(async () => {
  await peer.close();
});

async function storeOnPeer(
  shareName = `share-${randomUUID().slice(0, 8)}`,
): Promise<{ store: AzureFilesFileStore; shareName: string }> {
  peer.createShare(shareName);
  const share = createShareClient(
    { connectionString: peer.connectionString, shareName },
    { retryOptions: FAST_RETRIES },
  );
  return { store: await AzureFilesFileStore.open(share, { pageSize: PAGE_SIZE }), shareName };
}

// On the Files REST peer: a fresh share per test, through the real SDK over HTTP.
describeFileStoreContract(
  'Azure Files (REST test peer)',
  async (): Promise<FileStoreFixture> => ({ adapter: (await storeOnPeer()).store }),
);

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const asText = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));

async function failure(promise: Promise<unknown>): Promise<FileStoreError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FileStoreError);
  return error as FileStoreError;
}

describe('Azure Files adapter on the REST peer', () => {
  it('pages through List Directories and Files with maxresults and NextMarker', async () => {
    const { store, shareName } = await storeOnPeer();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((letter) => `many/${letter}.txt`);
    for (const name of names) await store.write(name, text(name));
    const before = peer.requests.length;
    expect((await store.list('many')).map((entry) => entry.path)).toEqual(names);
    const listCalls = peer.requests
      .slice(before)
      .filter((request) => request.comp === 'list' && request.path === `${shareName}/many`);
    expect(listCalls.length).toBe(4); // 7 entries, 2 a page
    expect(listCalls.every((request) => request.maxResults === String(PAGE_SIZE))).toBe(true);
    expect(listCalls.slice(1).every((request) => request.marker !== null && request.marker !== '')).toBe(true);
  });

  it('stages content in the private folder and publishes it with one Rename File that replaces', async () => {
    const { store, shareName } = await storeOnPeer();
    await store.write('scope/run.ps1', text('old'));
    const before = peer.requests.length;
    const big = new Uint8Array(9 * 1024 * 1024).fill(7);
    async function* streamed(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < big.byteLength; offset += 1024 * 1024)
        yield big.subarray(offset, offset + 1024 * 1024);
    }
    await store.write('scope/run.ps1', streamed());
    const calls = peer.requests.slice(before);
    const ranges = calls.filter((request) => request.comp === 'range');
    expect(ranges.length).toBe(3); // 4 + 4 + 1 MiB
    for (const range of ranges) {
      expect(range.path.startsWith(`${shareName}/.workspace-sync/tmp/`)).toBe(true);
      const [start, end] = String(range.headers['x-ms-range']).replace('bytes=', '').split('-').map(Number);
      expect(end! - start! + 1).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    const renames = calls.filter((request) => request.comp === 'rename');
    expect(renames).toHaveLength(1);
    expect(renames[0]).toMatchObject({ path: `${shareName}/scope/run.ps1`, status: 200 });
    expect(renames[0]!.headers['x-ms-file-rename-replace-if-exists']).toBe('true');
    expect(String(renames[0]!.headers['x-ms-file-rename-source'])).toContain('/.workspace-sync/tmp/');
    expect((await store.read('scope/run.ps1'))?.byteLength).toBe(big.byteLength);
    // Nothing is left in staging, and the private folder stays out of whole-store listings.
    expect(
      peer.paths(shareName).filter((path) => path.startsWith('.workspace-sync/tmp/') && !path.endsWith('/')),
    ).toEqual([]);
    expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual(['scope', 'scope/run.ps1']);
  });

  it('lets callers use the private folder but never its staging folder', async () => {
    const { store } = await storeOnPeer();
    await store.write('.workspace-sync/backups/scope.zip', text('zip'));
    expect(asText(await store.read('.workspace-sync/backups/scope.zip'))).toBe('zip');
    expect((await failure(store.write('.workspace-sync/tmp/x', text('x')))).code).toBe('Conflict');
    expect((await failure(store.write('.WORKSPACE-SYNC/TMP/x', text('x')))).code).toBe('Conflict');
  });

  it('keeps names case-preserving and finds them in any case', async () => {
    const { store } = await storeOnPeer();
    await store.write('Scripts/Run.PS1', text('1'));
    expect(asText(await store.read('scripts/run.ps1'))).toBe('1');
    expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual([
      'Scripts',
      'Scripts/Run.PS1',
    ]);
  });

  it('keeps trailing dots, which the service would otherwise trim into another name', async () => {
    const { store } = await storeOnPeer();
    await store.write('dots/name.', text('dot'));
    await store.write('dots/name', text('plain'));
    expect((await store.list('dots')).map((entry) => entry.path)).toEqual(['dots/name', 'dots/name.']);
    expect(asText(await store.read('dots/name.'))).toBe('dot');
  });

  it('refuses names the share cannot hold with Conflict', async () => {
    const { store } = await storeOnPeer();
    for (const name of ['bad:name.txt', 'a|b', 'what?.txt', 'quote".txt', 'star*.txt', 'lt<.txt', 'CON', 'tab\tname']) {
      expect((await failure(store.write(`names/${name}`, text('x')))).code).toBe('Conflict');
    }
    expect((await failure(store.write(`names/${'n'.repeat(256)}`, text('x')))).code).toBe('Conflict');
    expect((await failure(store.write(`${'d/'.repeat(1024)}x`, text('x')))).code).toBe('Conflict');
    await store.write(`names/${'n'.repeat(255)}`, text('longest'));
    expect(await store.list('names')).toHaveLength(1);
  });

  it('answers Put Range past the end of the file, and names over 255 characters, as the service does', async () => {
    const shareName = `share-${randomUUID().slice(0, 8)}`;
    peer.createShare(shareName);
    const share = ShareServiceClient.fromConnectionString(peer.connectionString).getShareClient(shareName);
    const file = share.rootDirectoryClient.getFileClient('small.bin');
    await file.create(4);
    await expect(file.uploadRange(Buffer.from('12345'), 0, 5)).rejects.toMatchObject({
      statusCode: 416,
      code: 'InvalidRange',
    });
    await expect(share.rootDirectoryClient.getFileClient('x'.repeat(256)).create(1)).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidResourceName',
    });
    await expect(share.getDirectoryClient('missing/deeper').create()).rejects.toMatchObject({
      statusCode: 404,
      code: 'ParentNotFound',
    });
  });

  it('checks the Shared Key signature: another key is refused, and the store does not open', async () => {
    const shareName = `share-${randomUUID().slice(0, 8)}`;
    peer.createShare(shareName);
    const wrongKey = Buffer.alloc(64, 1).toString('base64');
    const share = createShareClient(
      { connectionString: peer.connectionStringWithKey(wrongKey), shareName },
      { retryOptions: FAST_RETRIES },
    );
    const error = await failure(AzureFilesFileStore.open(share));
    expect(error).toMatchObject({ code: 'ReadOnly', retryable: false });
    expect(peer.requests.at(-1)).toMatchObject({ status: 403, errorCode: 'AuthenticationFailed' });
  });

  it('never takes a missing share for an empty store', async () => {
    const share = createShareClient(
      { connectionString: peer.connectionString, shareName: 'no-such-share' },
      { retryOptions: FAST_RETRIES },
    );
    expect(await failure(AzureFilesFileStore.open(share))).toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it('reports throttling and server errors as retryable Unavailable, and keeps the old content', async () => {
    const { store, shareName } = await storeOnPeer();
    await store.write('f/a.txt', text('old'));
    peer.failNext(FAST_RETRIES.maxTries, {
      status: 503,
      code: 'ServerBusy',
      when: (request) => request.comp === 'rename',
    });
    expect(await failure(store.write('f/a.txt', text('new')))).toMatchObject({ code: 'Unavailable', retryable: true });
    expect(asText(await store.read('f/a.txt'))).toBe('old');
    expect(
      peer.paths(shareName).filter((path) => path.startsWith('.workspace-sync/tmp/') && !path.endsWith('/')),
    ).toEqual([]);

    peer.failNext(FAST_RETRIES.maxTries, {
      status: 500,
      code: 'InternalError',
      when: (request) => request.method === 'GET',
    });
    expect(await failure(store.read('f/a.txt'))).toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it('rides out one transient failure through the SDK retry', async () => {
    const { store } = await storeOnPeer();
    await store.write('f/a.txt', text('old'));
    peer.failNext(1, { status: 500, code: 'OperationTimedOut', when: (request) => request.comp === 'range' });
    await store.write('f/a.txt', text('new'));
    expect(asText(await store.read('f/a.txt'))).toBe('new');
  });

  it('treats a file held open by an SMB client as retryable, and refusals as ReadOnly', async () => {
    const { store } = await storeOnPeer();
    await store.write('f/a.txt', text('old'));
    peer.failNext(1, { status: 409, code: 'SharingViolation', when: (request) => request.comp === 'rename' });
    expect(await failure(store.write('f/a.txt', text('new')))).toMatchObject({ code: 'Unavailable', retryable: true });
    peer.failNext(1, { status: 409, code: 'ReadOnlyAttribute', when: (request) => request.comp === 'rename' });
    expect(await failure(store.write('f/a.txt', text('new')))).toMatchObject({ code: 'ReadOnly', retryable: false });
    peer.failNext(1, {
      status: 403,
      code: 'AuthorizationPermissionMismatch',
      when: (request) => request.method === 'DELETE',
    });
    expect(await failure(store.delete('f/a.txt'))).toMatchObject({ code: 'ReadOnly', retryable: false });
    expect(asText(await store.read('f/a.txt'))).toBe('old');
  });

  it('reports an endpoint that does not answer as retryable Unavailable', async () => {
    const gone = await AzureFilesPeer.start();
    const shareName = 'share-gone';
    gone.createShare(shareName);
    const store = await AzureFilesFileStore.open(
      createShareClient({ connectionString: gone.connectionString, shareName }, { retryOptions: FAST_RETRIES }),
    );
    await gone.close();
    expect(await failure(store.read('a.txt'))).toMatchObject({ code: 'Unavailable', retryable: true });
  });
});

// On a real share, when a connection string with an account key is given: each test gets a share of
// its own, deleted afterwards.
const live = process.env.AZURE_FILES_CONNECTION_STRING_LIVE;
if (live) {
  describeFileStoreContract('Azure Files (AZURE_FILES_CONNECTION_STRING_LIVE)', async () => {
    const service = ShareServiceClient.fromConnectionString(live);
    const shareName = `wsync-contract-${randomUUID().slice(0, 8)}`;
    await service.createShare(shareName);
    const adapter = await AzureFilesFileStore.open(createShareClient({ connectionString: live, shareName }));
    return {
      adapter,
      cleanup: async () => void (await service.deleteShare(shareName, { deleteSnapshots: 'include' })),
    };
  });
} else {
  describe('FileStore contract: Azure Files (AZURE_FILES_CONNECTION_STRING_LIVE)', () => {
    it.skip('needs AZURE_FILES_CONNECTION_STRING_LIVE (a storage account connection string with a key that may create and delete shares); not set here', () =>
      undefined);
  });
}
