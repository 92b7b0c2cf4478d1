import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../src/functions/index';
import { checkFunctionsHostConfig } from '../../src/host/appContainer';
import { type ConfigError, configSchema, loadConfig } from '../../src/host/config';

const root = resolve(__dirname, '../..');
const json = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8')) as Record<string, unknown>;

/** What the Functions host will load, checked where it can be without the host. */
describe('Azure Functions app files', () => {
  it('package.json points the host at its compiled entry, which registers every function', () => {
    expect(json('package.json').main).toBe('dist/src/host/functionsApp.js');
  });

  it('host.json is a v2 host file with Service Bus settings', () => {
    const host = json('host.json') as {
      version: string;
      extensions: { serviceBus: { maxAutoLockRenewalDuration: string } };
    };
    expect(host.version).toBe('2.0');
    expect(host.extensions.serviceBus.maxAutoLockRenewalDuration).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('local.settings.json.example names only settings the service reads, and they validate', () => {
    const values = (json('local.settings.json.example') as { Values: Record<string, string> }).Values;
    const config = loadConfig(values);
    const hostSettings = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', config.SERVICEBUS_CONNECTION_SETTING];
    const known = new Set([...Object.keys(configSchema.shape), ...hostSettings]);
    expect(Object.keys(values).filter((name) => !known.has(name))).toEqual([]);
    expect(values[config.SERVICEBUS_CONNECTION_SETTING]).toContain('UseDevelopmentEmulator=true');
    expect(() => checkFunctionsHostConfig(config, values)).not.toThrow();
  });

  it('refuses the one-process defaults under the Functions host, naming the settings', () => {
    expect(() => checkFunctionsHostConfig(loadConfig({}), {})).toThrow(
      /COMMAND_QUEUE[\s\S]*TABLES_ENDPOINT[\s\S]*TABLES_CONNECTION_STRING[\s\S]*AUTH_MODE/,
    );
  });

  describe('Tables and Service Bus under the Functions host: identity or connection string, one of the two for each', () => {
    const entra = {
      AUTH_MODE: 'entra',
      AUTH_TENANT_ID: '00000000-0000-4000-8000-000000000001',
      AUTH_AUDIENCE: 'api://wsync',
      PUBLIC_BASE_URL: 'https://wsync.example.com',
    };
    const problems = (env: Record<string, string>) => {
      try {
        checkFunctionsHostConfig(loadConfig({ COMMAND_QUEUE: 'service-bus', ...entra, ...env }), env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };

    it('with neither form, names both settings of each', () => {
      const found = problems({});
      expect(found).toHaveLength(2);
      expect(found[0]).toMatch(
        /^ServiceBusConnection__fullyQualifiedNamespace: .*ServiceBusConnection \(the emulator\)/,
      );
      expect(found[1]).toMatch(/^TABLES_ENDPOINT: .*TABLES_CONNECTION_STRING/);
    });

    it('takes the identity forms (what the Bicep template sets), the connection strings (the emulators), or one of each', () => {
      expect(
        problems({
          TABLES_ENDPOINT: 'https://stwsd.table.core.windows.net',
          ServiceBusConnection__fullyQualifiedNamespace: 'sb.servicebus.windows.net',
        }),
      ).toEqual([]);
      expect(
        problems({
          TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
          ServiceBusConnection: 'Endpoint=sb://localhost;UseDevelopmentEmulator=true',
        }),
      ).toEqual([]);
      expect(
        problems({
          TABLES_ENDPOINT: 'https://stwsd.table.core.windows.net',
          ServiceBusConnection: 'Endpoint=sb://localhost;UseDevelopmentEmulator=true',
        }),
      ).toEqual([]);
    });

    it('follows SERVICEBUS_CONNECTION_SETTING for the names', () => {
      expect(
        problems({ TABLES_ENDPOINT: 'https://stwsd.table.core.windows.net', SERVICEBUS_CONNECTION_SETTING: 'SyncBus' }),
      ).toEqual([expect.stringMatching(/^SyncBus__fullyQualifiedNamespace: .*connection string in SyncBus /)]);
      expect(
        problems({
          TABLES_ENDPOINT: 'https://stwsd.table.core.windows.net',
          SERVICEBUS_CONNECTION_SETTING: 'SyncBus',
          SyncBus__fullyQualifiedNamespace: 'sb.servicebus.windows.net',
        }),
      ).toEqual([]);
    });

    it('refuses an http Tables endpoint (bearer tokens travel over https only) and both Tables forms at once', () => {
      expect(() => loadConfig({ TABLES_ENDPOINT: 'http://127.0.0.1:10002/devstoreaccount1' })).toThrow(
        /TABLES_ENDPOINT: must be an https URL/,
      );
      expect(() =>
        loadConfig({
          TABLES_ENDPOINT: 'https://stwsd.table.core.windows.net',
          TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        }),
      ).toThrow(/TABLES_ENDPOINT: set it or TABLES_CONNECTION_STRING, not both/);
      expect(
        loadConfig({ METADATA_STORE: 'in-memory', TABLES_ENDPOINT: 'http://ignored.example' }).METADATA_STORE,
      ).toBe('in-memory');
    });
  });

  it('every HTTP function has a unique name and route, and the webhook stays anonymous (HMAC-authenticated)', () => {
    const names = httpFunctions.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const routes = httpFunctions.flatMap((f) => f.methods.map((m) => `${m} ${f.route}`));
    expect(new Set(routes).size).toBe(routes.length);
    expect(httpFunctions.find((f) => f.name === 'githubWebhook')).toMatchObject({
      route: 'github/webhook/{scope}',
      authLevel: 'anonymous',
      methods: ['POST'],
    });
    const files = readdirSync(resolve(root, 'src/functions')).filter((file) => file.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['githubWebhook.ts', 'syncWorker.ts']));
  });
});
