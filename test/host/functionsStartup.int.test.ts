import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedAzurite, type RunningAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { healthFunction } from '../../src/functions/health';
import { lazilyHttp } from '../../src/host/functionsStartup';

/**
 * Start-up under the Functions host: the process-wide container is built by the first call. A
 * failed start-up must not be kept for the life of the worker (one transient fault at cold start
 * would fail every later call), and each HTTP call answers what stops the start, as a 503.
 */

const HOST = 'wsync-test.azurewebsites.net';
const logged: string[] = [];
let dataDir: string;
const saved = new Map<string, string | undefined>();

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** What the Functions host calls for GET /api/health: the registered handler, started on first use. */
const health = lazilyHttp(healthFunction.build);

async function callHealth(): Promise<HttpResponse> {
  const request = new HttpRequest({ method: 'GET', url: `https://${HOST}/api/health`, headers: { host: HOST } });
  const context = new InvocationContext({
    invocationId: globalThis.crypto.randomUUID(),
    functionName: 'health',
    logHandler: (level, ...args) =>
      logged.push(`${level}: ${args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' ')}`),
  });
  return new HttpResponse((await health(request, context)) as HttpResponseInit);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'functions-startup-'));
  setEnv({
    COMMAND_QUEUE: 'service-bus',
    // Never contacted: the container makes the client, nothing here sends.
    ServiceBusConnection:
      'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    METADATA_STORE: 'azure-tables',
    AUTH_MODE: 'entra',
    AUTH_TENANT_ID: '00000000-0000-4000-8000-000000000001',
    AUTH_AUDIENCE: 'api://wsync',
    PUBLIC_BASE_URL: `https://${HOST}`,
    DATA_DIR: dataDir,
    WORKSPACE_ROOT: join(dataDir, 'workspace'),
    LOG_LEVEL: 'silent',
    TABLES_CONNECTION_STRING: undefined,
    TABLES_ENDPOINT: undefined,
    CONNECTIONS_FILE: undefined,
  });
});

afterAll(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('a function whose start-up fails', () => {
  it('answers 503 ConfigurationInvalid naming the settings, and starts once they are fixed, without a restart', async () => {
    const missing = await callHealth();
    expect(missing.status).toBe(503);
    const body = (await missing.json()) as { error: string; message: string };
    expect(body.error).toBe('ConfigurationInvalid');
    expect(body.message).toMatch(/TABLES_ENDPOINT: .*TABLES_CONNECTION_STRING/);
  });

  it('answers 503 StartupFailed while storage is down at cold start, and serves once it is back', async () => {
    // A port Azurite will listen on, nothing listening yet.
    const probe = await EmbeddedAzurite.start();
    const port = probe.port;
    await probe.stop();
    setEnv({
      TABLES_CONNECTION_STRING:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
        `TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    });
    const down = await callHealth();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: 'StartupFailed' });
    expect(down.headers.get('retry-after')).toBe('5');

    let azurite: RunningAzurite | undefined;
    try {
      azurite = await EmbeddedAzurite.start({ port });
      const up = await callHealth();
      expect(up.status, logged.join('\n')).toBe(200);
      // Started once, kept from then on.
      expect((await callHealth()).status).toBe(200);
    } finally {
      await azurite?.stop();
    }
  }, 60_000);
});
