import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/host/config';
import { loadConnectionSeeds } from '../../src/host/connectionSeeds';

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 7071,
      workspaceRoot: '/srv/app/.data/workspace',
      secretsFile: '/srv/app/.data/secrets.json',
      METADATA_STORE: 'azure-tables',
      COMMAND_QUEUE: 'in-process',
      GITHUB_API_URL: 'https://api.github.com',
      publicBaseUrl: 'http://127.0.0.1:7071',
    });
    expect(config.TABLES_CONNECTION_STRING).toBeUndefined();
  });

  it.each([
    ['PORT', 'seventy'],
    ['PORT', '70000'],
    ['TABLES_PREFIX', '1bad'],
    ['GITHUB_API_URL', 'not a url'],
    ['SYNC_LEASE_TTL_SECONDS', '1'],
    ['METADATA_STORE', 'cosmos'],
    ['RECONCILE_ON_START', 'maybe'],
  ])('a bad %s (%s) stops start-up with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration:[\\s\\S]*${name}`));
  });

  it('mirrors files up to SYNC_MAX_FILE_BYTES, 100 MiB by default and at most (GitHub stores no larger file)', () => {
    expect(loadConfig({}).SYNC_MAX_FILE_BYTES).toBe(104_857_600);
    expect(loadConfig({ SYNC_MAX_FILE_BYTES: '1048576' }).SYNC_MAX_FILE_BYTES).toBe(1_048_576);
    for (const bad of ['0', '104857601', '1.5', 'big']) {
      expect(() => loadConfig({ SYNC_MAX_FILE_BYTES: bad })).toThrow(/SYNC_MAX_FILE_BYTES/);
    }
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual(['PORT', 'LOG_LEVEL']);
    }
  });
});

describe('declared connections', () => {
  const seed = { scope: 'GLOBAL', repository: 'acme/scripts', branch: 'main', tokenRef: 'T', webhookSecretRef: 'W' };

  it('reads CONNECTIONS and CONNECTIONS_FILE, normalising the sub-path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsync-config-'));
    const file = join(dir, 'connections.json');
    await writeFile(file, JSON.stringify([{ ...seed, scope: 'org-1', subPath: './scripts//prod/' }]));
    const seeds = await loadConnectionSeeds(
      loadConfig({ CONNECTIONS: JSON.stringify([seed]), CONNECTIONS_FILE: file }),
    );
    expect(seeds).toEqual([
      { ...seed, scope: 'org-1', subPath: 'scripts/prod', enabled: true },
      { ...seed, subPath: '', enabled: true },
    ]);
  });

  it.each([
    [[{ ...seed, scope: '../etc' }], /CONNECTIONS\[0\.scope\]/],
    [[{ ...seed, repository: 'no-slash' }], /CONNECTIONS\[0\.repository\]/],
    [[{ ...seed, branch: 'bad..branch' }], /CONNECTIONS\[0\.branch\]/],
    [[{ ...seed, subPath: '../outside' }], /CONNECTIONS\[0\]\.subPath/],
    [[seed, seed], /declared twice/],
    [[{ ...seed, tokenRef: undefined }], /CONNECTIONS\[0\.tokenRef\]/],
  ])('rejects %j naming the field', async (value, message) => {
    await expect(loadConnectionSeeds(loadConfig({ CONNECTIONS: JSON.stringify(value) }))).rejects.toThrow(message);
  });

  it('rejects CONNECTIONS that is not JSON and a missing CONNECTIONS_FILE', async () => {
    await expect(loadConnectionSeeds(loadConfig({ CONNECTIONS: '[{' }))).rejects.toThrow(/CONNECTIONS: not valid JSON/);
    await expect(loadConnectionSeeds(loadConfig({ CONNECTIONS_FILE: '/nonexistent/c.json' }))).rejects.toThrow(
      /CONNECTIONS_FILE: cannot read/,
    );
  });
});

describe('authentication settings', () => {
  it('runs the development identity by default, on loopback only', () => {
    expect(loadConfig({}).AUTH_MODE).toBe('development');
    expect(loadConfig({}).auth).toBeNull();
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(
      /AUTH_MODE: development is allowed only with a loopback HOST/,
    );
    expect(() => loadConfig({ HOST: '::1' })).not.toThrow();
  });

  it('needs the audience and the tenant (or issuer and key set) for Entra ID, naming them', () => {
    expect(() => loadConfig({ AUTH_MODE: 'entra' })).toThrow(/AUTH_AUDIENCE[\s\S]*AUTH_TENANT_ID/);
    const config = loadConfig({
      AUTH_MODE: 'entra',
      AUTH_TENANT_ID: 'contoso.onmicrosoft.com',
      AUTH_AUDIENCE: 'api://ws, 1111',
      PUBLIC_BASE_URL: 'https://sync.example.com',
    });
    // A domain never appears in a token's iss (always the tenant GUID): the issuer comes from discovery.
    expect(config.auth).toEqual({
      issuers: null,
      audiences: ['api://ws', '1111'],
      jwksUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys',
      discoveryUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    });
    const tenantGuid = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';
    expect(
      loadConfig({
        AUTH_MODE: 'entra',
        AUTH_TENANT_ID: tenantGuid,
        AUTH_AUDIENCE: 'x',
        PUBLIC_BASE_URL: 'https://sync.example.com',
      }).auth,
    ).toEqual({
      issuers: [`https://login.microsoftonline.com/${tenantGuid}/v2.0`, `https://sts.windows.net/${tenantGuid}/`],
      audiences: ['x'],
      jwksUrl: `https://login.microsoftonline.com/${tenantGuid}/discovery/v2.0/keys`,
      discoveryUrl: null,
    });
    expect(() =>
      loadConfig({
        AUTH_MODE: 'entra',
        AUTH_TENANT_ID: 'common',
        AUTH_AUDIENCE: 'x',
        PUBLIC_BASE_URL: 'https://sync.example.com',
      }),
    ).toThrow(/AUTH_TENANT_ID: 'common' names no tenant/);
    const custom = loadConfig({
      AUTH_MODE: 'entra',
      AUTH_AUDIENCE: 'x',
      AUTH_ISSUER: 'http://127.0.0.1:1/t/v2.0',
      AUTH_JWKS_URL: 'http://127.0.0.1:1/keys',
      HOST: '0.0.0.0',
      PUBLIC_BASE_URL: 'https://sync.example.com',
    });
    expect(custom.auth).toMatchObject({ issuers: ['http://127.0.0.1:1/t/v2.0'], jwksUrl: 'http://127.0.0.1:1/keys' });
  });
});

describe('public address and cross-origin settings', () => {
  const entra = { AUTH_MODE: 'entra', AUTH_TENANT_ID: 'contoso.onmicrosoft.com', AUTH_AUDIENCE: 'api://ws' };

  it('needs PUBLIC_BASE_URL for Entra ID: webhook URLs are never built from a Host header there', () => {
    expect(() => loadConfig(entra)).toThrow(/PUBLIC_BASE_URL: required when AUTH_MODE=entra/);
    expect(loadConfig({ ...entra, PUBLIC_BASE_URL: 'https://sync.example.com/' }).publicBaseUrl).toBe(
      'https://sync.example.com',
    );
    // npm start keeps working on its defaults.
    expect(loadConfig({}).PUBLIC_BASE_URL).toBeUndefined();
  });

  it('reads CORS_ALLOWED_ORIGINS as a list of origins, refusing anything else by name', () => {
    expect(loadConfig({}).corsAllowedOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ALLOWED_ORIGINS: 'https://ui.example.com/, https://Other.Example:8443 ,http://localhost:5173' })
        .corsAllowedOrigins,
    ).toEqual(['https://ui.example.com', 'https://other.example:8443', 'http://localhost:5173']);
    for (const bad of [
      '*',
      'ui.example.com',
      'https://ui.example.com/app',
      'https://user@ui.example.com',
      'ftp://ui.example.com',
      'https://ui.example.com,null',
    ]) {
      expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: bad })).toThrow(/CORS_ALLOWED_ORIGINS/);
    }
  });

  it('bounds concurrent uploads, 4 by default', () => {
    expect(loadConfig({}).MAX_CONCURRENT_UPLOADS).toBe(4);
    expect(() => loadConfig({ MAX_CONCURRENT_UPLOADS: '0' })).toThrow(/MAX_CONCURRENT_UPLOADS/);
  });
});
