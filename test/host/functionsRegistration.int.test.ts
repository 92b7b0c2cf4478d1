import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../src/functions/index';
import { openApiDocument } from '../../src/functions/openapi/openApiDocument';
import { reconcileSchedule } from '../../src/functions/reconcile';
import { RETENTION_SCHEDULE } from '../../src/functions/retention';
import { configSchema } from '../../src/host/config';

/**
 * What the Functions host's entry registers with the runtime, captured the way the host sees it: the
 * compiled file `package.json` `main` names is loaded in a process of their own, with the runtime's
 * core module `@azure/functions-core` provided (the host injects it into its worker; `@azure/functions`
 * calls its `registerFunction` with each function's metadata). Every trigger's binding is then
 * checked against host.json, the configuration and the OpenAPI document.
 *
 * Runs the compiled code: `npx tsc -p tsconfig.json` (or `npm run build`) first.
 */

const root = resolve(__dirname, '../..');
const distRoot = basename(root) === 'dist' ? root : resolve(root, 'dist');
const packageJson = JSON.parse(
  readFileSync(resolve(root, basename(root) === 'dist' ? '../package.json' : 'package.json'), 'utf8'),
) as { main: string };
const hostJson = JSON.parse(
  readFileSync(resolve(root, basename(root) === 'dist' ? '../host.json' : 'host.json'), 'utf8'),
) as {
  extensions?: { http?: { routePrefix?: string }; serviceBus?: Record<string, unknown> };
};
const defaults = configSchema.parse({});

interface Binding {
  readonly type: string;
  readonly direction: string;
  readonly name: string;
  readonly route?: string;
  readonly methods?: string[];
  readonly authLevel?: string;
  readonly queueName?: string;
  readonly connection?: string;
  readonly schedule?: string;
  readonly runOnStartup?: boolean;
}
interface Registration {
  readonly name: string;
  readonly bindings: Record<string, Binding>;
}

/**
 * The worker's side of the runtime: `@azure/functions-core` answered by a stand-in that records each
 * registration, then every file of `main` required, as the host's worker loads an app.
 */
const WORKER = `
const Module = require('node:module');
const registrations = [];
const core = {
  version: '4.0.0',
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  log() {},
  registerFunction(metadata) {
    registrations.push(metadata);
    return { dispose() {} };
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === '@azure/functions-core' ? core : load.call(this, request, ...rest);
};
const [entry] = process.argv.slice(1);
require(entry);
process.stdout.write(JSON.stringify(registrations));
`;

async function registered(env: Record<string, string>): Promise<Registration[]> {
  const main = packageJson.main;
  expect(main).toMatch(/^dist\/[\w/]+\.js$/); // one entry file: no glob for the host to expand
  const entry = resolve(distRoot, main.replace(/^dist\//, ''));
  if (!existsSync(entry)) throw new Error(`no compiled entry at ${entry}: run npx tsc -p tsconfig.json first`);
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', WORKER, entry], {
    cwd: root,
    env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, FUNCTIONS_WORKER_RUNTIME: 'node', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Registration[];
}

/** The trigger binding of a registration (the one binding with direction `in` whose type ends in Trigger). */
function triggerOf(registration: Registration): Binding {
  const triggers = Object.values(registration.bindings).filter(
    (binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'),
  );
  expect(triggers, registration.name).toHaveLength(1);
  return triggers[0]!;
}

/** The app settings the Bicep template gives (identity-based Service Bus), the ones the bindings read. */
const AZURE_ENV = {
  COMMAND_QUEUE: 'service-bus',
  SYNC_QUEUE_NAME: 'workspace-sync',
  SERVICEBUS_CONNECTION_SETTING: 'ServiceBusConnection',
  ServiceBusConnection__fullyQualifiedNamespace: 'sb-wsync-dev.servicebus.windows.net',
};

describe('what src/functions registers with the Functions runtime', () => {
  it("every HTTP function, with its route and methods as the OpenAPI document has them under the host's route prefix", async () => {
    const registrations = await registered(AZURE_ENV);
    const prefix = hostJson.extensions?.http?.routePrefix ?? 'api';
    const http = registrations.filter((registration) => triggerOf(registration).type === 'httpTrigger');
    expect(http.map((registration) => registration.name).sort()).toEqual(
      httpFunctions.map((definition) => definition.name).sort(),
    );

    const registeredOperations = new Set<string>();
    const preflightRoutes = new Map<string, number>();
    for (const registration of http) {
      const trigger = triggerOf(registration);
      expect(trigger.authLevel, registration.name).toBe('anonymous'); // routes authenticate themselves (bearer token or HMAC)
      const path = `/${prefix}/${trigger.route!.replace(/\{(\w+)(?::[^}]*)?\??\}/g, '{$1}')}`;
      for (const method of trigger.methods!) {
        if (method === 'OPTIONS') preflightRoutes.set(trigger.route!, (preflightRoutes.get(trigger.route!) ?? 0) + 1);
        else registeredOperations.add(`${method} ${path}`);
      }
      // Every route has an output binding for the HTTP answer.
      expect(
        Object.values(registration.bindings).some((binding) => binding.type === 'http' && binding.direction === 'out'),
        registration.name,
      ).toBe(true);
    }
    const document = openApiDocument(httpFunctions, 'test') as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect([...registeredOperations].sort()).toEqual([...documented].sort());
    // Each route takes OPTIONS exactly once (CORS preflights reach the guard; two would clash in the host).
    const routes = new Set(http.map((registration) => triggerOf(registration).route!));
    expect([...routes].filter((route) => preflightRoutes.get(route) !== 1)).toEqual([]);
    // The webhook GitHub calls, and the health route the template's health check probes.
    expect(
      http.find((registration) => registration.name === 'githubWebhook') &&
        triggerOf(http.find((registration) => registration.name === 'githubWebhook')!),
    ).toMatchObject({
      route: 'github/webhook/{scope}',
      methods: expect.arrayContaining(['POST']),
    });
    expect(triggerOf(http.find((registration) => registration.name === 'health')!)).toMatchObject({
      route: 'health',
      methods: expect.arrayContaining(['GET']),
    });
  });

  it('the sync worker on the Service Bus queue, through the connection setting the configuration names', async () => {
    const registrations = await registered(AZURE_ENV);
    const worker = registrations.find((registration) => registration.name === 'syncWorker');
    expect(worker).toBeDefined();
    expect(triggerOf(worker!)).toMatchObject({
      type: 'serviceBusTrigger',
      direction: 'in',
      queueName: 'workspace-sync',
      connection: 'ServiceBusConnection',
    });
    // host.json configures the extension this trigger needs, and the identity-based connection is complete.
    expect(hostJson.extensions?.serviceBus).toBeDefined();
    expect(
      AZURE_ENV[`${triggerOf(worker!).connection!}__fullyQualifiedNamespace` as keyof typeof AZURE_ENV],
    ).toBeDefined();
    expect(defaults.SYNC_QUEUE_NAME).toBe('workspace-sync');
  });

  it('the reconcile timer every RECONCILE_INTERVAL_MINUTES, not on start-up', async () => {
    const registrations = await registered(AZURE_ENV);
    const timer = registrations.find((registration) => registration.name === 'reconcile');
    expect(triggerOf(timer!)).toMatchObject({
      type: 'timerTrigger',
      schedule: reconcileSchedule(defaults.RECONCILE_INTERVAL_MINUTES),
      runOnStartup: false,
    });
    expect(triggerOf(timer!).schedule!.split(' ')).toHaveLength(6); // NCRONTAB: seconds first
    expect(registrations.map((registration) => registration.name).sort()).toEqual(
      [...httpFunctions.map((definition) => definition.name), 'reconcile', 'retention', 'syncWorker', 'warmup'].sort(),
    );
  });

  it('the retention timer once a day, not on start-up, whatever the settings', async () => {
    for (const env of [
      AZURE_ENV,
      { ...AZURE_ENV, RUNS_RETENTION_DAYS: '0', DELIVERIES_RETENTION_DAYS: '0', RECONCILE_INTERVAL_MINUTES: '0' },
    ]) {
      const timer = (await registered(env)).find((registration) => registration.name === 'retention');
      expect(triggerOf(timer!)).toMatchObject({
        type: 'timerTrigger',
        schedule: RETENTION_SCHEDULE,
        runOnStartup: false,
      });
    }
    const [seconds, minutes, hours, ...rest] = RETENTION_SCHEDULE.split(' ');
    expect([seconds, minutes, hours].every((field) => /^\d+$/.test(field!))).toBe(true); // one fixed time of day
    expect(rest).toEqual(['*', '*', '*']);
  });

  it('the warmup trigger under the one name the host looks for, whatever the settings', async () => {
    for (const env of [AZURE_ENV, {}]) {
      const warmup = (await registered(env)).filter((registration) => triggerOf(registration).type === 'warmupTrigger');
      expect(warmup.map((registration) => registration.name)).toEqual(['warmup']);
    }
  });

  it('follows the settings: another queue, connection prefix and interval; no timer at interval 0', async () => {
    const custom = await registered({
      ...AZURE_ENV,
      SYNC_QUEUE_NAME: 'sync-b',
      SERVICEBUS_CONNECTION_SETTING: 'SyncBus',
      RECONCILE_INTERVAL_MINUTES: '120',
    });
    expect(triggerOf(custom.find((registration) => registration.name === 'syncWorker')!)).toMatchObject({
      queueName: 'sync-b',
      connection: 'SyncBus',
    });
    expect(triggerOf(custom.find((registration) => registration.name === 'reconcile')!).schedule).toBe('0 0 */2 * * *');
    const off = await registered({ ...AZURE_ENV, RECONCILE_INTERVAL_MINUTES: '0' });
    expect(off.map((registration) => registration.name)).not.toContain('reconcile');
  });

  it('registers every function even when the configuration is invalid (each call then answers the error, not the indexing)', async () => {
    const valid = (await registered(AZURE_ENV)).map((registration) => registration.name).sort();
    const broken = await registered({
      COMMAND_QUEUE: 'kafka',
      AUTH_MODE: 'nobody',
      SYNC_QUEUE_NAME: 'not a queue name!',
      RECONCILE_INTERVAL_MINUTES: 'often',
    });
    expect(broken.map((registration) => registration.name).sort()).toEqual(valid);
    // Invalid binding settings fall back to their defaults rather than stopping the registration.
    expect(triggerOf(broken.find((registration) => registration.name === 'syncWorker')!)).toMatchObject({
      queueName: defaults.SYNC_QUEUE_NAME,
      connection: defaults.SERVICEBUS_CONNECTION_SETTING,
    });
  });
});
