import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/host/config';
import {
  COMPOSE_FILE,
  type ComposeFile,
  type ComposeService,
  dependenciesOf,
  dockerComposeAvailable,
  dockerComposeConfig,
  environmentOf,
  isPinnedImage,
  loadCompose,
  projectRoot,
  readProjectFile,
  readProjectJson,
  volumeMounts,
  withComposeDefaults,
} from './infraFiles';

/**
 * docker-compose.yml checked offline: Debian's docker-compose 1.29 validates it (no engine needed),
 * and its wiring is compared with what the service reads. Nothing here builds or starts a container.
 */

// Settings the Azure Functions host itself reads (not the app); documented in the Functions app settings reference.
const FUNCTIONS_HOST_SETTINGS = new Set([
  'AzureWebJobsStorage',
  'AzureWebJobsScriptRoot',
  'AzureWebJobsFeatureFlags',
  'AzureWebJobsSecretStorageType',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'WEBSITE_HOSTNAME',
]);
// host.json values overridden by app setting, e.g. AzureFunctionsJobHost__logging__logLevel__default.
const FUNCTIONS_HOST_OVERRIDE_PREFIX = 'AzureFunctionsJobHost__';

const SERVICE_BUS_EMULATOR_IMAGE = 'mcr.microsoft.com/azure-messaging/servicebus-emulator';
const AZURITE_IMAGE = 'mcr.microsoft.com/azure-storage/azurite';
// What Microsoft's Service Bus emulator runs on since Azure SQL Edge was retired (2025-09-30).
const SQL_SERVER_IMAGE = 'mcr.microsoft.com/mssql/server';
const SQLCMD = '/opt/mssql-tools18/bin/sqlcmd';
const EMULATOR_CONFIG_TARGET = '/ServiceBus_Emulator/ConfigFiles/Config.json';

const compose = loadCompose();

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`${COMPOSE_FILE} has no service '${name}'`);
  return found;
}

function serviceRunning(file: ComposeFile, imagePrefix: string): [string, ComposeService] {
  const matches = Object.entries(file.services).filter(([, candidate]) =>
    candidate.image?.startsWith(`${imagePrefix}:`),
  );
  if (matches.length !== 1)
    throw new Error(`expected exactly one service running ${imagePrefix}, found ${matches.length}`);
  return matches[0] as [string, ComposeService];
}

function connectionStringFields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(';')
      .filter((part) => part.includes('='))
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
  );
}

function publishedContainerPorts(candidate: ComposeService): number[] {
  return (candidate.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    return Number(String(port).split(':').at(-1)?.split('/')[0]);
  });
}

const functionsEnv = environmentOf(service('functions'));
const functionsEnvAsRun = Object.fromEntries(
  Object.entries(functionsEnv).map(([name, value]) => [name, withComposeDefaults(value)]),
);
const connectionSettingName =
  functionsEnvAsRun.SERVICEBUS_CONNECTION_SETTING || configSchema.shape.SERVICEBUS_CONNECTION_SETTING.parse(undefined);

describe(`${COMPOSE_FILE} validation by docker-compose`, () => {
  const available = dockerComposeAvailable();
  if (!available) {
    // Only an absent binary is a reason to skip; CI installs Debian's docker-compose package.
    console.warn(
      `[infrastructure] docker-compose is not installed: skipping 'docker-compose -f ${COMPOSE_FILE} config -q'`,
    );
  }

  it.skipIf(!available)('docker-compose config -q accepts the file', () => {
    const result = dockerComposeConfig(COMPOSE_FILE);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!available)(
    'docker-compose config -q really validates: the same file with a top-level name: is rejected',
    () => {
      const result = dockerComposeConfig('-', `name: workspace-sync\n${readProjectFile(COMPOSE_FILE)}`);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/name/);
    },
  );
});

describe(`${COMPOSE_FILE} shape`, () => {
  it('has no top-level name: (docker-compose 1.29 rejects it) and only known top-level keys', () => {
    expect(compose).not.toHaveProperty('name');
    const unknown = Object.keys(compose).filter(
      (key) => !['services', 'volumes', 'secrets', 'networks', 'version'].includes(key) && !key.startsWith('x-'),
    );
    expect(unknown).toEqual([]);
  });

  it('runs the functions, azurite, servicebus-emulator and mssql services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['azurite', 'functions', 'mssql', 'servicebus-emulator']);
  });

  it('uses no moving tag (latest, 2022-latest...) and no retired Azure SQL Edge image', () => {
    for (const [name, candidate] of Object.entries(compose.services)) {
      const tag = (candidate.image ?? '').split('/').at(-1)?.split(':')[1] ?? '';
      expect(tag, `${name}.image ${candidate.image}`).not.toMatch(/latest/i);
      expect(candidate.image ?? '', `${name}.image`).not.toMatch(/azure-sql-edge/);
    }
  });

  it('runs the Azurite release the embedded mode and the tests use (the azurite devDependency)', () => {
    const [, azurite] = serviceRunning(compose, AZURITE_IMAGE);
    const { devDependencies = {} } = readProjectJson('package.json') as { devDependencies?: Record<string, string> };
    expect(azurite.image).toBe(`${AZURITE_IMAGE}:${devDependencies.azurite}`);
  });

  it('pins every image to an explicit registry and tag; only the functions service is built here', () => {
    for (const [name, candidate] of Object.entries(compose.services)) {
      if (name === 'functions') {
        expect(candidate.build, 'functions is built from the Dockerfile').toBeDefined();
        expect(candidate.image).toBeUndefined();
        continue;
      }
      expect(candidate.image, `${name}.image`).toBeTypeOf('string');
      expect(isPinnedImage(candidate.image ?? ''), `${name}.image ${candidate.image} names its registry and tag`).toBe(
        true,
      );
    }
  });

  it('publishes the Functions host (port 80 in the container) on 7071, as npm start does', () => {
    expect(service('functions').ports).toContain('7071:80');
  });

  it('depends on the storage and queue services it connects to, and the emulator on its SQL server', () => {
    const [emulatorName, emulator] = serviceRunning(compose, SERVICE_BUS_EMULATOR_IMAGE);
    const [azuriteName] = serviceRunning(compose, AZURITE_IMAGE);
    expect(dependenciesOf(service('functions')).sort()).toEqual([azuriteName, emulatorName].sort());
    const sqlServer = environmentOf(emulator).SQL_SERVER ?? '';
    expect(Object.keys(compose.services)).toContain(sqlServer);
    expect(dependenciesOf(emulator)).toEqual([sqlServer]);
  });

  it('references only declared named volumes and secrets', () => {
    for (const [name, candidate] of Object.entries(compose.services)) {
      for (const { source } of volumeMounts(candidate)) {
        if (source.startsWith('.') || source.startsWith('/')) continue; // bind mount
        expect(Object.keys(compose.volumes ?? {}), `${name} mounts volume '${source}'`).toContain(source);
      }
      for (const secret of candidate.secrets ?? []) {
        const secretName = typeof secret === 'string' ? secret : secret.source;
        expect(Object.keys(compose.secrets ?? {}), `${name} uses secret '${secretName}'`).toContain(secretName);
      }
    }
  });
});

describe('functions service environment', () => {
  it('names only settings the service reads, Functions host settings, or the Service Bus connection setting', () => {
    const known = new Set<string>([
      ...Object.keys(configSchema.shape),
      ...FUNCTIONS_HOST_SETTINGS,
      connectionSettingName,
    ]);
    const unknown = Object.keys(functionsEnv).filter(
      (name) => !known.has(name) && !name.startsWith(FUNCTIONS_HOST_OVERRIDE_PREFIX),
    );
    expect(unknown).toEqual([]);
  });

  it('is a valid configuration for the service (COMMAND_QUEUE aside, checked on its own)', () => {
    const { COMMAND_QUEUE: _checkedBelow, ...rest } = functionsEnvAsRun;
    // The tenant and audience come from the shell that runs compose; without them start-up names them.
    expect(() => loadConfig(rest, '/home/site/wwwroot')).toThrow(/AUTH_AUDIENCE[\s\S]*AUTH_TENANT_ID/);
    const config = loadConfig(
      { ...rest, AUTH_TENANT_ID: 'contoso.onmicrosoft.com', AUTH_AUDIENCE: 'api://workspace-sync' },
      '/home/site/wwwroot',
    );
    expect(config.auth?.jwksUrl).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys');
    expect(config.workspaceRoot).toBe('/workspace');
    expect(config.METADATA_STORE).toBe('azure-tables');
    expect(config.TABLES_CONNECTION_STRING).toBeDefined();
  });

  it('selects the Service Bus command queue, a value the configuration accepts', () => {
    expect(functionsEnvAsRun.COMMAND_QUEUE).toBe('service-bus');
    // Fails until the Service Bus adapter adds 'service-bus' to COMMAND_QUEUE in src/host/config.ts.
    expect(configSchema.shape.COMMAND_QUEUE.safeParse(functionsEnvAsRun.COMMAND_QUEUE).success).toBe(true);
  });

  it('points AzureWebJobsStorage and TABLES_CONNECTION_STRING at the azurite service on the ports it serves', () => {
    const [azuriteName, azurite] = serviceRunning(compose, AZURITE_IMAGE);
    const servedPorts = publishedContainerPorts(azurite);
    for (const setting of ['AzureWebJobsStorage', 'TABLES_CONNECTION_STRING']) {
      const fields = connectionStringFields(functionsEnvAsRun[setting] ?? '');
      expect(fields.AccountName, setting).toBe('devstoreaccount1');
      for (const [endpoint, port] of [
        ['BlobEndpoint', 10000],
        ['QueueEndpoint', 10001],
        ['TableEndpoint', 10002],
      ] as const) {
        const url = new URL(fields[endpoint] ?? 'missing:');
        expect(`${url.protocol}//${url.hostname}:${url.port}${url.pathname}`, `${setting} ${endpoint}`).toBe(
          `http://${azuriteName}:${port}/devstoreaccount1`,
        );
        expect(servedPorts, `${azuriteName} serves ${port}`).toContain(port);
      }
    }
    expect(String(azurite.command)).toMatch(/--tableHost 0\.0\.0\.0/);
  });

  it(`holds the Service Bus connection in the setting SERVICEBUS_CONNECTION_SETTING names, aimed at the emulator service`, () => {
    const [emulatorName, emulator] = serviceRunning(compose, SERVICE_BUS_EMULATOR_IMAGE);
    const fields = connectionStringFields(functionsEnvAsRun[connectionSettingName] ?? '');
    expect(fields.Endpoint).toBe(`sb://${emulatorName}`); // no port: the emulator's AMQP port 5672 is the default
    expect(fields.UseDevelopmentEmulator).toBe('true');
    expect(fields.SharedAccessKeyName).toBe('RootManageSharedAccessKey');
    expect(publishedContainerPorts(emulator)).toContain(5672);
  });

  it('mounts a named volume at WORKSPACE_ROOT, where the Azure Files share is mounted in Azure', () => {
    const mount = volumeMounts(service('functions')).find(({ target }) => target === functionsEnvAsRun.WORKSPACE_ROOT);
    expect(mount, `a volume at ${functionsEnvAsRun.WORKSPACE_ROOT}`).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount?.source);
  });

  it('keeps secrets in the file npm start uses, through a writable bind mount (the API stores tokens there)', () => {
    expect(functionsEnvAsRun.SECRET_STORE).toBe('file');
    const file = functionsEnvAsRun.SECRETS_FILE ?? '';
    const folder = file.slice(0, file.lastIndexOf('/'));
    const mount = volumeMounts(service('functions')).find(({ target }) => target === folder);
    expect(mount, `a mount at ${folder}`).toEqual({ source: './.data', target: folder });
    expect(file.slice(folder.length + 1)).toBe('secrets.json');
    // A compose secret would be read-only: connecting a scope could not store its token.
    expect(service('functions').secrets ?? []).toEqual([]);
  });
});

describe('Service Bus emulator services', () => {
  const [, emulator] = serviceRunning(compose, SERVICE_BUS_EMULATOR_IMAGE);
  const emulatorEnv = environmentOf(emulator);
  const sqlEnv = environmentOf(service(emulatorEnv.SQL_SERVER ?? ''));

  it('mounts servicebus-emulator/Config.json where the emulator reads its entities', () => {
    const mount = volumeMounts(emulator).find(({ target }) => target === EMULATOR_CONFIG_TARGET);
    expect(mount?.source).toBe('./servicebus-emulator/Config.json');
    expect(existsSync(resolve(projectRoot, mount?.source ?? 'missing'))).toBe(true);
  });

  it('gives the emulator and SQL the same SA password, from the environment with a local-only default', () => {
    expect(emulatorEnv.MSSQL_SA_PASSWORD).toMatch(/^\$\{MSSQL_SA_PASSWORD:-[^}]+\}$/);
    expect(sqlEnv.MSSQL_SA_PASSWORD).toBe(emulatorEnv.MSSQL_SA_PASSWORD);
    // SQL Server refuses to start with a password outside its policy: 8+ characters from 3 of 4 classes.
    const fallback = withComposeDefaults(emulatorEnv.MSSQL_SA_PASSWORD ?? '');
    const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(fallback)).length;
    expect(fallback.length).toBeGreaterThanOrEqual(8);
    expect(classes).toBeGreaterThanOrEqual(3);
  });

  it('leaves accepting the licence terms to the user (ACCEPT_EULA from the environment)', () => {
    expect(emulatorEnv.ACCEPT_EULA).toMatch(/^\$\{ACCEPT_EULA(:-N)?\}$/);
    expect(sqlEnv.ACCEPT_EULA).toBe(emulatorEnv.ACCEPT_EULA);
    // The free Developer edition (not for production), named rather than left to the image's default.
    expect(sqlEnv.MSSQL_PID).toBe('Developer');
  });

  it(`runs SQL Server 2022 (${SQL_SERVER_IMAGE}) pinned to a cumulative update`, () => {
    const sqlImage = service(emulatorEnv.SQL_SERVER ?? '').image ?? '';
    expect(sqlImage).toMatch(new RegExp(`^${SQL_SERVER_IMAGE.replaceAll('.', '\\.')}:2022-CU\\d+`));
  });

  it('checks SQL Server is up with sqlcmd (mssql-tools18, trusting its self-signed certificate) using the SA password', () => {
    const healthcheck = (service(emulatorEnv.SQL_SERVER ?? '') as { healthcheck?: { test?: string | string[] } })
      .healthcheck;
    const test = healthcheck?.test ?? [];
    const command = Array.isArray(test) ? test.slice(1).join(' ') : test;
    expect(Array.isArray(test) ? test[0] : 'CMD-SHELL', 'healthcheck.test').toMatch(/^CMD(-SHELL)?$/);
    expect(command).toContain(SQLCMD);
    expect(command.split(/\s+/)).toContain('-C');
    // The password comes from the container's own environment ($$ escapes compose's interpolation).
    expect(command).toMatch(/-P\s+"?\$\$\{?MSSQL_SA_PASSWORD\}?"?/);
    expect(command).toMatch(/SELECT 1/i);
  });

  it('starts the emulator only after SQL Server is healthy', () => {
    const dependsOn = emulator.depends_on as Record<string, { condition?: string }> | undefined;
    expect(Array.isArray(dependsOn), 'depends_on in its long form').toBe(false);
    expect(dependsOn?.[emulatorEnv.SQL_SERVER ?? '']?.condition).toBe('service_healthy');
  });
});
