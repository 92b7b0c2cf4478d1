import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFunctionsHostConfig } from '../../src/host/appContainer';
import { configSchema, loadConfig } from '../../src/host/config';
import { httpFunctions } from '../../src/functions/index';

const root = resolve(__dirname, '../..');
const json = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8')) as Record<string, unknown>;

/** What the Functions host will load, checked where it can be without the host. */
describe('Azure Functions app files', () => {
  it('package.json points the host at the compiled function files', () => {
    expect(json('package.json').main).toBe('dist/src/functions/*.js');
  });

  it('host.json is a v2 host file with Service Bus settings', () => {
    const host = json('host.json') as { version: string; extensions: { serviceBus: { maxAutoLockRenewalDuration: string } } };
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
    expect(() => checkFunctionsHostConfig(config)).not.toThrow();
  });

  it('refuses the one-process defaults under the Functions host, naming the settings', () => {
    expect(() => checkFunctionsHostConfig(loadConfig({}))).toThrow(/COMMAND_QUEUE[\s\S]*TABLES_CONNECTION_STRING[\s\S]*AUTH_MODE/);
  });

  it('every HTTP function has a unique name and route, and the webhook stays anonymous (HMAC-authenticated)', () => {
    const names = httpFunctions.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const routes = httpFunctions.flatMap((f) => f.methods.map((m) => `${m} ${f.route}`));
    expect(new Set(routes).size).toBe(routes.length);
    expect(httpFunctions.find((f) => f.name === 'githubWebhook')).toMatchObject({ route: 'github/webhook/{scope}', authLevel: 'anonymous', methods: ['POST'] });
    const files = readdirSync(resolve(root, 'src/functions')).filter((file) => file.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['githubWebhook.ts', 'syncWorker.ts']));
  });
});
