import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureFilesFileStore } from '../../src/adapters/azure-files/AzureFilesFileStore';
import { type BuiltContainer, buildContainer } from '../../src/host/buildContainer';
import { ConfigError, loadConfig } from '../../src/host/config';
import { TYPES } from '../../src/host/identifiers';
import type { FileStore } from '../../src/ports/FileStore';
import { AzureFilesPeer } from '../support/azureFilesPeer';
import { captureLogger } from '../support/captureLogger';

/** Issue 11 §3 through the composition root: FILE_STORE=azure-files and its settings. */

let peer: AzureFilesPeer;
let dataDir: string;
const built: BuiltContainer[] = [];

beforeAll(async () => {
  peer = await AzureFilesPeer.start();
  dataDir = await mkdtemp(join(tmpdir(), 'azure-files-data-'));
});

afterAll(async () => {
  for (const instance of built) await instance.lifecycle.stopAll();
  await peer.close();
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0]!);
    throw error;
  }
  return [];
}

describe('FILE_STORE=azure-files settings', () => {
  it('needs the share and exactly one way in, naming the settings', () => {
    expect(problemsOf({ FILE_STORE: 'azure-files' })).toEqual(['AZURE_FILES_SHARE', 'AZURE_FILES_CONNECTION_STRING']);
    expect(
      problemsOf({
        FILE_STORE: 'azure-files',
        AZURE_FILES_SHARE: 'workspace',
        AZURE_FILES_CONNECTION_STRING: 'x',
        AZURE_FILES_ACCOUNT_URL: 'https://a.file.core.windows.net',
      }),
    ).toEqual(['AZURE_FILES_CONNECTION_STRING']);
    expect(
      problemsOf({
        FILE_STORE: 'azure-files',
        AZURE_FILES_SHARE: 'workspace',
        AZURE_FILES_ACCOUNT_URL: 'http://a.file.core.windows.net',
      }),
    ).toEqual(['AZURE_FILES_ACCOUNT_URL']);
    expect(
      problemsOf({
        FILE_STORE: 'azure-files',
        AZURE_FILES_SHARE: 'Not_A_Share',
        AZURE_FILES_ACCOUNT_URL: 'https://a.file.core.windows.net',
      }),
    ).toEqual(['AZURE_FILES_SHARE']);
    expect(
      problemsOf({
        FILE_STORE: 'azure-files',
        AZURE_FILES_SHARE: 'workspace',
        AZURE_FILES_ACCOUNT_URL: 'https://a.file.core.windows.net',
      }),
    ).toEqual([]);
  });

  it('leaves the local store alone: no Azure Files setting is read or required', () => {
    expect(loadConfig({}).FILE_STORE).toBe('local');
    expect(problemsOf({ AZURE_FILES_SHARE: 'workspace' })).toEqual([]);
  });

  it('binds the FileStore to the share, over the connection string, and the workspace lives there', async () => {
    peer.createShare('workspace');
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WORKER_ENABLED: 'false',
      RECONCILE_ON_START: 'false',
      METADATA_STORE: 'in-memory',
      FILE_STORE: 'azure-files',
      AZURE_FILES_CONNECTION_STRING: peer.connectionString,
      AZURE_FILES_SHARE: 'workspace',
    };
    let credentialAsked = 0;
    const instance = await buildContainer(loadConfig(env), {
      env,
      logger: captureLogger().logger,
      azure: {
        credential: () => {
          credentialAsked++;
          throw new Error('a connection string needs no identity');
        },
      },
    });
    built.push(instance);
    const store = instance.container.get<FileStore>(TYPES.FileStore);
    expect(store).toBeInstanceOf(AzureFilesFileStore);
    expect(store.capabilities).toEqual({ executableBit: false, caseSensitive: false, maxPathLength: 2048 });
    await store.write('global/hello.ps1', new TextEncoder().encode('Write-Host hi'));
    expect(peer.paths('workspace')).toEqual(
      expect.arrayContaining(['global/', 'global/hello.ps1', '.workspace-sync/', '.workspace-sync/tmp/']),
    );
    expect(credentialAsked).toBe(0);
  });

  it('does not start on a share that is not there', async () => {
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WORKER_ENABLED: 'false',
      RECONCILE_ON_START: 'false',
      METADATA_STORE: 'in-memory',
      FILE_STORE: 'azure-files',
      AZURE_FILES_CONNECTION_STRING: peer.connectionString,
      AZURE_FILES_SHARE: 'missing-share',
    };
    await expect(buildContainer(loadConfig(env), { env, logger: captureLogger().logger })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('ShareNotFound'),
    });
  });
});
