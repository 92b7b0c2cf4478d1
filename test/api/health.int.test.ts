import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedAzurite, type RunningAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { ApiHarness } from '../support/apiHarness';

const run = promisify(execFile);

/**
 * Makes a folder tree unwritable. chmod does not stop root, so as root the tree is made immutable
 * (chattr), which stops every writer.
 */
async function setWritable(dir: string, writable: boolean): Promise<void> {
  if (process.getuid?.() === 0) await run('chattr', ['-R', writable ? '-i' : '+i', dir]);
  else await run('chmod', ['-R', writable ? 'u+w' : 'a-w', dir]);
}

describe('health and readiness', () => {
  let azurite: RunningAzurite;
  let api: ApiHarness;
  let admin: string;

  beforeAll(async () => {
    // A separate Azurite, so the test can stop it under the running service.
    azurite = await EmbeddedAzurite.start();
    api = await ApiHarness.start({ TABLES_CONNECTION_STRING: azurite.connectionString });
    admin = await api.admin();
  });
  afterAll(async () => {
    await setWritable(api.workspaceRoot, true).catch(() => undefined);
    await api?.stop();
    await azurite?.stop();
  });

  const ready = () => api.call('GET', '/api/health/ready', { token: admin });

  it('liveness answers without a token, with version and uptime', async () => {
    const live = await api.call('GET', '/api/health', { token: null });
    expect(live.status).toBe(200);
    expect(live.json).toMatchObject({ status: 'ok', version: '0.1.0' });
    expect(live.json.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('readiness checks each dependency with its latency, for admins only', async () => {
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe('ready');
    expect(answer.json.dependencies.map((dependency: { name: string }) => dependency.name).sort()).toEqual([
      'metadata',
      'queue',
      'secrets',
      'workspace',
    ]);
    for (const dependency of answer.json.dependencies)
      expect(dependency).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) });
    expect(
      (await api.call('GET', '/api/health/ready', { token: await api.orgUser(['org-a'], { editor: true }) })).status,
    ).toBe(403);
  });

  it('answers 503 naming the workspace when the folder cannot be written, and recovers', async () => {
    await mkdir(join(api.workspaceRoot, '.workspace-sync', 'health'), { recursive: true });
    await setWritable(api.workspaceRoot, false);
    try {
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ status: 'unavailable', error: 'NotReady', failed: ['workspace'] });
      expect(answer.json.message).toContain('workspace');
    } finally {
      await setWritable(api.workspaceRoot, true);
    }
    expect((await ready()).status).toBe(200);
  });

  it('answers 503 naming the metadata store when Azurite is stopped', async () => {
    await azurite.stop();
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.json.failed).toEqual(['metadata']);
    const metadata = answer.json.dependencies.find((dependency: { name: string }) => dependency.name === 'metadata');
    expect(metadata.error).toBeTruthy();
    // Liveness does not depend on the store.
    expect((await api.call('GET', '/api/health', { token: null })).status).toBe(200);
  }, 30_000);

  it('every answer matched /api/openapi.json', () => {
    expect(api.violations).toEqual([]);
  });
});
