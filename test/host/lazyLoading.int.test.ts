import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonFromFreshProcess } from '../support/freshProcess';
import { SERVICE_MAIN } from '../support/serviceProcess';

const LOCAL_HOST = resolve(SERVICE_MAIN, '../localHost.js');
/**
 * SDKs a start on the embedded defaults does not use (Octokit: not before the first sync); each is a
 * large part of a cold start when loaded.
 */
const NOT_ON_DEFAULTS = [
  '@azure/storage-file-share',
  '@azure/service-bus',
  '@azure/keyvault-secrets',
  '@octokit/rest',
  'applicationinsights',
  '@opentelemetry/sdk-node',
];

interface Report {
  readonly afterRequire: string[];
  readonly afterStart: string[];
  readonly webhookStatus: number;
}

/**
 * In a fresh process (the module cache is per process): require the local host, start it on the
 * embedded defaults, answer one signed push, and say which of the packages above were loaded.
 */
async function startAndReport(dataDir: string): Promise<Report> {
  const secret = randomBytes(16).toString('hex');
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after: 'a'.repeat(40),
    deleted: false,
    repository: { full_name: 'acme/scripts' },
  });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const script = `
    require('reflect-metadata');
    const watched = ${JSON.stringify(NOT_ON_DEFAULTS)};
    const loaded = () => watched.filter((name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/')));
    const { startLocalHost } = require(${JSON.stringify(LOCAL_HOST)});
    (async () => {
      const afterRequire = loaded();
      const host = await startLocalHost(process.env);
      const answer = await fetch(host.server.url + '/api/github/webhook/GLOBAL', {
        method: 'POST',
        body: ${JSON.stringify(body)},
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'lazy-1', 'x-hub-signature-256': ${JSON.stringify(signature)} },
      });
      const afterStart = loaded();
      await host.stop();
      process.stdout.write(JSON.stringify({ afterRequire, afterStart, webhookStatus: answer.status }));
      process.exit(0);
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const env = {
    PATH: process.env.PATH,
    TMPDIR: process.env.TMPDIR,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RECONCILE_ON_START: 'false',
    RECONCILE_INTERVAL_MINUTES: '0',
    WORKER_ENABLED: 'false',
    SECRET_STORE: 'env',
    WEBHOOK_SECRET: secret,
    GITHUB_TOKEN: 'unused',
    CONNECTIONS: JSON.stringify([
      {
        scope: 'GLOBAL',
        repository: 'acme/scripts',
        branch: 'main',
        tokenRef: 'GITHUB_TOKEN',
        webhookSecretRef: 'WEBHOOK_SECRET',
      },
    ]),
  };
  return jsonFromFreshProcess<Report>(script, env, resolve(SERVICE_MAIN, '../../../..'));
}

describe('start-up loads only what the configuration uses', () => {
  let dataDir: string | undefined;

  beforeAll(() => {
    if (!existsSync(LOCAL_HOST)) throw new Error('dist/ is missing: run npm run build first');
  });
  afterEach(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("on the embedded defaults neither the Files nor the Service Bus SDK nor Azurite's telemetry is loaded, and a signed push is queued", async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wsync-lazy-'));
    const report = await startAndReport(dataDir);
    expect(report.afterRequire).toEqual([]);
    expect(report.afterStart).toEqual([]);
    expect(report.webhookStatus).toBe(202);
  });
});
