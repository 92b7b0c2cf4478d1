import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedAzurite, type RunningAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { warmupFunction } from '../../src/functions/warmup';
import { lazily } from '../../src/host/functionsStartup';
import { ServiceBusPeer } from '../support/serviceBusPeer';

const QUEUE = 'workspace-sync';
let peer: ServiceBusPeer;
let azurite: RunningAzurite;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  peer = await ServiceBusPeer.start({ queues: { [QUEUE]: { maxDeliveryCount: 3 } } });
  azurite = await EmbeddedAzurite.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'warmup-trigger-'));
  const env = {
    COMMAND_QUEUE: 'service-bus',
    ServiceBusConnection: peer.connectionString,
    METADATA_STORE: 'azure-tables',
    TABLES_CONNECTION_STRING: azurite.connectionString,
    AUTH_MODE: 'entra',
    AUTH_TENANT_ID: '00000000-0000-4000-8000-000000000001',
    AUTH_AUDIENCE: 'api://wsync',
    PUBLIC_BASE_URL: 'https://wsync-test.azurewebsites.net',
    DATA_DIR: dataDir,
    WORKSPACE_ROOT: join(dataDir, 'workspace'),
    LOG_LEVEL: 'silent',
  };
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
}, 60_000);

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await peer?.stop();
  await azurite?.stop();
});

/** The warmup trigger as the Functions host runs it on an instance a scale-out adds. */
describe('the warmup trigger', () => {
  it('builds the container and opens the command queue before any webhook', async () => {
    expect(peer.sendersAttached(QUEUE)).toBe(0);
    // As src/host/functionsApp.ts registers it: the process-wide container is built by this first call.
    const warmup = lazily(warmupFunction.build);
    await warmup({}, new InvocationContext({ invocationId: 'warmup-1', functionName: 'warmup' }));
    expect(peer.sendersAttached(QUEUE)).toBe(1);
    expect(peer.stats(QUEUE).active).toBe(0);
  });
});
