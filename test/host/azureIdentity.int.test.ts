import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { ServiceBusClient } from '@azure/service-bus';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedAzurite, type RunningAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import type { AzureAccess } from '../../src/host/azureAccess';
import { type BuiltContainer, buildContainer } from '../../src/host/buildContainer';
import { loadConfig } from '../../src/host/config';
import { TYPES } from '../../src/host/identifiers';
import { serviceBusClient } from '../../src/host/modules/queueModule';
import type { MetadataRepo } from '../../src/ports/MetadataRepo';
import { uniqueTablePrefix } from '../support/azurite';
import { captureLogger } from '../support/captureLogger';
import { loopbackCertificate } from '../support/selfSignedCertificate';

/**
 * Issue 11 §2 through the composition root: Tables and Service Bus in their two forms of
 * configuration. The identity form is exercised against Azurite over HTTPS with its Entra check on
 * (`--oauth basic`: issuer, audience and lifetime of the bearer token), with a credential that
 * records what it is asked for: DefaultAzureCredential cannot reach Entra from here.
 */

const TENANT = '00000000-0000-4000-8000-00000000a11c';

/** Hands out Entra-shaped access tokens for the scope asked (audience = scope without `/.default`), and records each request. */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly audienceFor: (scope: string) => string = (scope) => scope.replace(/\/\.default$/, '')) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = [scopes].flat()[0]!;
    this.scopes.push(scope);
    const now = Math.floor(Date.now() / 1000);
    const token = new UnsecuredJWT({ oid: 'app-identity' })
      .setIssuer(`https://sts.windows.net/${TENANT}/`)
      .setAudience(this.audienceFor(scope))
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + 3600)
      .encode();
    return { token, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

let azurite: RunningAzurite;
/** The emulator as npm start and compose use it: HTTP, the development account's key. */
let plainAzurite: RunningAzurite;
let ca: string;
let dataDir: string;
const built: BuiltContainer[] = [];

beforeAll(async () => {
  const certificate = await loopbackCertificate();
  ca = certificate.cert;
  const folder = await mkdtemp(join(tmpdir(), 'tables-tls-'));
  const certFile = join(folder, 'cert.pem');
  const keyFile = join(folder, 'key.pem');
  await writeFile(certFile, certificate.cert);
  await writeFile(keyFile, certificate.key);
  azurite = await EmbeddedAzurite.start({ https: { certFile, keyFile }, oauth: 'basic' });
  plainAzurite = await EmbeddedAzurite.start();
  dataDir = await mkdtemp(join(tmpdir(), 'identity-data-'));
});

afterAll(async () => {
  for (const instance of built) await instance.lifecycle.stopAll();
  await azurite?.stop();
  await plainAzurite?.stop();
});

async function build(env: Record<string, string>, azure: AzureAccess): Promise<BuiltContainer> {
  const full = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', WORKER_ENABLED: 'false', RECONCILE_ON_START: 'false', ...env };
  const instance = await buildContainer(loadConfig(full), { env: full, logger: captureLogger().logger, azure });
  built.push(instance);
  return instance;
}

/** The account's tables as the key sees them: where the identity's client really created its tables. */
async function tablesOfAccount(): Promise<string[]> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { tlsOptions: { ca } });
  const names: string[] = [];
  for await (const table of service.listTables()) names.push(table.name!);
  return names;
}

/** What the SDK signs in with: the credential it was given, or a provider made from a connection string's key. */
function signInOf(client: ServiceBusClient): unknown {
  // Not public API: the connection context holds the token provider every CBS claim is made with.
  return (client as unknown as { _connectionContext: { tokenCredential: unknown } })._connectionContext.tokenCredential;
}

describe('Azure Tables through the composition root', () => {
  it('TABLES_ENDPOINT: the clients address that endpoint and sign in with the credential, no key anywhere', async () => {
    const credential = new RecordingCredential();
    const prefix = uniqueTablePrefix();
    const { container } = await build(
      { METADATA_STORE: 'azure-tables', TABLES_ENDPOINT: azurite.tableEndpoint, TABLES_PREFIX: prefix },
      { credential: () => credential, tablesOptions: { tlsOptions: { ca } } },
    );
    expect(credential.scopes.length).toBeGreaterThan(0);
    expect(new Set(credential.scopes)).toEqual(new Set(['https://storage.azure.com/.default']));
    // ensureTables ran against the endpoint, as the token's holder ...
    expect(await tablesOfAccount()).toEqual(
      expect.arrayContaining([`${prefix}Connections`, `${prefix}Runs`, `${prefix}Deliveries`]),
    );
    // ... and so does every later call.
    const repo = container.get<MetadataRepo>(TYPES.MetadataRepo);
    await expect(repo.listConnections()).resolves.toEqual([]);
  });

  it('the token is what lets the calls in: one for another audience is refused by the account', async () => {
    const wrongAudience = new RecordingCredential(() => 'https://vault.azure.net');
    await expect(
      build(
        { METADATA_STORE: 'azure-tables', TABLES_ENDPOINT: azurite.tableEndpoint, TABLES_PREFIX: uniqueTablePrefix() },
        { credential: () => wrongAudience, tablesOptions: { tlsOptions: { ca }, retryOptions: { maxRetries: 0 } } },
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect(wrongAudience.scopes.length).toBeGreaterThan(0);
  });

  it('TABLES_CONNECTION_STRING (Azurite, a key): the credential is never asked for', async () => {
    const credential = new RecordingCredential();
    let made = 0;
    const prefix = uniqueTablePrefix();
    const { container } = await build(
      {
        METADATA_STORE: 'azure-tables',
        TABLES_CONNECTION_STRING: plainAzurite.connectionString,
        TABLES_PREFIX: prefix,
      },
      {
        credential: () => {
          made++;
          return credential;
        },
      },
    );
    expect(made).toBe(0);
    expect(credential.scopes).toEqual([]);
    await expect(container.get<MetadataRepo>(TYPES.MetadataRepo).listConnections()).resolves.toEqual([]);
  });
});

describe('Service Bus through the composition root', () => {
  const configFor = (env: Record<string, string>) => loadConfig({ COMMAND_QUEUE: 'service-bus', ...env });

  it('<connection>__fullyQualifiedNamespace: the client addresses that namespace and signs in with the credential', () => {
    const credential = new RecordingCredential();
    const env = { ServiceBusConnection__fullyQualifiedNamespace: 'sb-wsync-dev.servicebus.windows.net' };
    const client = serviceBusClient(configFor(env), env, { credential: () => credential });
    expect(client.fullyQualifiedNamespace).toBe('sb-wsync-dev.servicebus.windows.net');
    expect(signInOf(client)).toBe(credential);
  });

  it('follows SERVICEBUS_CONNECTION_SETTING for the prefix, as the trigger binding does', () => {
    const credential = new RecordingCredential();
    const env = {
      SERVICEBUS_CONNECTION_SETTING: 'SyncBus',
      SyncBus__fullyQualifiedNamespace: 'other.servicebus.windows.net',
    };
    const client = serviceBusClient(configFor(env), env, { credential: () => credential });
    expect(client.fullyQualifiedNamespace).toBe('other.servicebus.windows.net');
    expect(signInOf(client)).toBe(credential);
  });

  it('a connection string in <connection> (the emulator, a key): the credential is never made, and it wins over the namespace as in the binding', () => {
    let made = 0;
    const env = {
      ServiceBusConnection:
        'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
      ServiceBusConnection__fullyQualifiedNamespace: 'sb-wsync-dev.servicebus.windows.net',
    };
    const client = serviceBusClient(configFor(env), env, {
      credential: () => {
        made++;
        return new RecordingCredential();
      },
    });
    expect(client.fullyQualifiedNamespace).toBe('127.0.0.1');
    expect(made).toBe(0);
    expect(signInOf(client)).not.toBeInstanceOf(RecordingCredential);
  });

  it('with neither, the error names both settings', () => {
    expect(() => serviceBusClient(configFor({}), {}, { credential: () => new RecordingCredential() })).toThrow(
      /ServiceBusConnection__fullyQualifiedNamespace: [\s\S]*connection string in ServiceBusConnection/,
    );
  });

  it('the whole container, with identity for both: built without a key, Tables signed in', async () => {
    const credential = new RecordingCredential();
    const instance = await build(
      {
        METADATA_STORE: 'azure-tables',
        TABLES_ENDPOINT: azurite.tableEndpoint,
        TABLES_PREFIX: uniqueTablePrefix(),
        COMMAND_QUEUE: 'service-bus',
        ServiceBusConnection__fullyQualifiedNamespace: 'sb-wsync-dev.servicebus.windows.net',
      },
      { credential: () => credential, tablesOptions: { tlsOptions: { ca } } },
    );
    expect(instance.container.isBound(TYPES.CommandQueue)).toBe(true);
    expect(credential.scopes).toContain('https://storage.azure.com/.default');
  });
});
