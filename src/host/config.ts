import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_FILE_BYTES } from '../domain/sync/SyncPlan';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Comma-separated origins (`scheme://host[:port]`, nothing else), normalised as browsers send them in Origin. */
const originList = z.string().transform((value, context) => {
  const origins: string[] = [];
  for (const item of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    let origin: string | null = null;
    try {
      const url = new URL(item);
      const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if ((url.protocol === 'https:' || url.protocol === 'http:') && bare) origin = url.origin;
    } catch {
      origin = null;
    }
    if (origin === null)
      context.addIssue({
        code: 'custom',
        message: `'${item.slice(0, 100)}' is not an origin: write https://host or https://host:port, without a path or wildcard`,
      });
    else origins.push(origin);
  }
  return origins;
});

const seconds = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Every setting the service reads, with its default. Names are environment variables / app settings. */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(7071),
  PUBLIC_BASE_URL: z.url().optional(),
  CORS_ALLOWED_ORIGINS: originList.optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  WORKSPACE_ROOT: z.string().min(1).optional(),
  FILE_STORE: z.enum(['local', 'azure-files']).default('local'),
  // FILE_STORE=azure-files: the share through the Files REST API, for hosts that cannot mount it.
  AZURE_FILES_CONNECTION_STRING: z.string().min(1).optional(),
  AZURE_FILES_ACCOUNT_URL: z.url().optional(),
  AZURE_FILES_SHARE: z
    .string()
    .regex(
      /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/,
      'a share name: 3-63 lower-case letters, digits and single hyphens',
    )
    .optional(),
  METADATA_STORE: z.enum(['azure-tables', 'in-memory']).default('azure-tables'),
  TABLES_CONNECTION_STRING: z.string().min(1).optional(),
  // The account's Tables endpoint, signed in with the identity (DefaultAzureCredential): no keys.
  TABLES_ENDPOINT: z.url().optional(),
  TABLES_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, 'letters and digits, starting with a letter, at most 20')
    .default('wsync'),
  // How stale a webhook's connection look-up may be: changes made by another instance are seen after it.
  CONNECTION_CACHE_SECONDS: seconds(5, 0, 300),
  COMMAND_QUEUE: z.enum(['in-process', 'service-bus']).default('in-process'),
  SYNC_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/)
    .default('workspace-sync'),
  SERVICEBUS_CONNECTION_SETTING: z.string().min(1).default('ServiceBusConnection'),
  QUEUE_MAX_DELIVERY_COUNT: z.coerce.number().int().min(1).max(100).default(5),
  QUEUE_RETRY_BASE_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
  QUEUE_DUPLICATE_WINDOW_SECONDS: seconds(600, 1, 7 * 24 * 3600),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  WORKER_ENABLED: bool.default(true),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  GITHUB_MAX_RETRY_AFTER_SECONDS: seconds(60, 0, 3600),
  SECRET_STORE: z.enum(['env', 'file', 'key-vault']).default('file'),
  SECRETS_FILE: z.string().min(1).optional(),
  KEY_VAULT_URL: z.url().optional(),
  CONNECTIONS_FILE: z.string().min(1).optional(),
  CONNECTIONS: z.string().min(1).optional(),
  RECONCILE_ON_START: bool.default(true),
  RECONCILE_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1440)
    .refine((minutes) => minutes < 60 || minutes % 60 === 0, 'under 60, or whole hours (a timer schedule step)')
    .default(5),
  // Retention (Tables has no TTL); 0 keeps forever. Deliveries: dead-letter decisions, and the webhook
  // delivery rows earlier versions recorded.
  RUNS_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  RUNS_KEEP_PER_SCOPE: z.coerce.number().int().min(0).max(10_000).default(20),
  DELIVERIES_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3650)
    .refine((days) => days === 0 || days >= 7, '0 (keep forever) or at least 7')
    .default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SYNC_LEASE_TTL_SECONDS: seconds(60, 2, 300),
  SYNC_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  SYNC_ARCHIVE_THRESHOLD: z.coerce.number().int().min(1).max(1_000_000).default(64),
  // Up to 100 MiB: GitHub stores no larger file (bigger ones live in LFS) and its blob API, which a
  // file the archive carries changed is fetched through, serves no larger blob.
  SYNC_MAX_FILE_BYTES: z.coerce.number().int().min(1).max(DEFAULT_MAX_FILE_BYTES).default(DEFAULT_MAX_FILE_BYTES),
  SYNC_MAX_ROUNDS: z.coerce.number().int().min(1).max(100).default(10),
  SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  SYNC_RETRY_BASE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  SYNC_RETRY_MAX_SECONDS: z.coerce.number().min(0).max(86_400).default(900),
  AUTH_MODE: z.enum(['entra', 'development']).default('development'),
  AUTH_TENANT_ID: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, 'a tenant id (GUID) or domain')
    .optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ISSUER: z.url().optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_CLOCK_SKEW_SECONDS: seconds(60, 0, 600),
  AUTH_ADMIN_ROLE: z.string().min(1).default('Workspace.Admin'),
  AUTH_EDITOR_ROLE: z.string().min(1).default('Workspace.Editor'),
  AUTH_ORGANIZATION_CLAIM: z.string().min(1).default('org_ids'),
  // App roles `Org.<organisation id>` grant that organisation; an empty prefix turns the mapping off.
  AUTH_ORGANIZATION_ROLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,40}$/, 'letters, digits, ".", "_" or "-", at most 40')
    .default('Org.'),
  // What the SPA needs to sign in (served by GET /api/client-config); only read when AUTH_MODE=entra.
  AUTH_CLIENT_ID: z.string().min(1).optional(),
  AUTH_AUTHORITY: z.url().optional(),
  AUTH_API_SCOPE: z.string().min(1).optional(),
  MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  MAX_CONCURRENT_UPLOADS: z.coerce.number().int().min(1).max(64).default(4),
  EDIT_LOCK_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  BACKUP_STORE: z.enum(['data-dir', 'workspace']).default('data-dir'),
  BACKUPS_DIR: z.string().min(1).optional(),
  BACKUPS_KEEP: z.coerce.number().int().min(1).max(10_000).default(20),
});

export type RawConfig = z.infer<typeof configSchema>;

/** The validated configuration, with paths made absolute. */
export interface Config extends RawConfig {
  readonly workspaceRoot: string;
  readonly dataDir: string;
  readonly secretsFile: string;
  readonly publicBaseUrl: string;
  /** Origins besides the service's own whose pages may call the API (the SPA in Azure). */
  readonly corsAllowedOrigins: readonly string[];
  /** Local folder for scope backups when BACKUP_STORE=data-dir (the plan's tmp share). */
  readonly backupsDir: string;
  /** Set when AUTH_MODE=entra: how bearer tokens are validated. */
  readonly auth: EntraAuthSettings | null;
}

interface EntraAuthSettings {
  /** Null when the tenant is named by its domain: the issuer (which names it by GUID) comes from `discoveryUrl`. */
  readonly issuers: readonly string[] | null;
  readonly audiences: readonly string[];
  readonly jwksUrl: string;
  /** The tenant's OpenID discovery document, read once at the first token; null when `issuers` is known. */
  readonly discoveryUrl: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A setting loadConfig requires in this configuration (so present), for the module that uses it. */
export function requiredSetting<K extends keyof Config>(config: Config, name: K): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined || value === null) throw new ConfigError([`${String(name)}: required by this configuration`]);
  return value;
}

/** Reads the configuration once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  const raw = parsed.data;
  const problems = [...checkAuth(raw), ...checkSecretStore(raw), ...checkTables(raw), ...checkAzureFiles(raw)];
  if (problems.length > 0) throw new ConfigError(problems);
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  const dataDir = absolute(raw.DATA_DIR);
  const shownHost = raw.HOST === '0.0.0.0' || raw.HOST === '::' ? '127.0.0.1' : raw.HOST;
  return {
    ...raw,
    dataDir,
    workspaceRoot: absolute(raw.WORKSPACE_ROOT ?? resolve(dataDir, 'workspace')),
    secretsFile: absolute(raw.SECRETS_FILE ?? resolve(dataDir, 'secrets.json')),
    publicBaseUrl: (raw.PUBLIC_BASE_URL ?? `http://${shownHost}:${raw.PORT}`).replace(/\/+$/, ''),
    corsAllowedOrigins: raw.CORS_ALLOWED_ORIGINS ?? [],
    backupsDir: absolute(raw.BACKUPS_DIR ?? resolve(dataDir, 'backups')),
    auth: raw.AUTH_MODE === 'entra' ? entraSettings(raw) : null,
  };
}

/** Whether HOST only accepts callers on this machine. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// The development identity is an admin without a token: only tolerable when nobody else can connect.
function checkAuth(raw: RawConfig): string[] {
  if (raw.AUTH_MODE === 'development') {
    return isLoopbackHost(raw.HOST)
      ? []
      : [`AUTH_MODE: development is allowed only with a loopback HOST (got ${raw.HOST}); set AUTH_MODE=entra`];
  }
  const problems: string[] = [];
  if (!raw.AUTH_AUDIENCE)
    problems.push('AUTH_AUDIENCE: required when AUTH_MODE=entra (the API application id or its api:// URI)');
  // Else the webhook URL registered on GitHub would come from whatever Host header a caller sent.
  if (!raw.PUBLIC_BASE_URL)
    problems.push(
      'PUBLIC_BASE_URL: required when AUTH_MODE=entra (the address GitHub and browsers reach this service at, https://host)',
    );
  if (!raw.AUTH_TENANT_ID && !(raw.AUTH_ISSUER && raw.AUTH_JWKS_URL)) {
    problems.push('AUTH_TENANT_ID: required when AUTH_MODE=entra (or set both AUTH_ISSUER and AUTH_JWKS_URL)');
  }
  // Their discovery documents name no tenant ({tenantid}), so no token's issuer could ever match.
  if (raw.AUTH_TENANT_ID && MULTI_TENANT_AUTHORITIES.has(raw.AUTH_TENANT_ID.toLowerCase()) && !raw.AUTH_ISSUER) {
    problems.push(`AUTH_TENANT_ID: '${raw.AUTH_TENANT_ID}' names no tenant; set your tenant's GUID or domain`);
  }
  return problems;
}

function checkSecretStore(raw: RawConfig): string[] {
  if (raw.SECRET_STORE !== 'key-vault') return [];
  if (!raw.KEY_VAULT_URL)
    return ['KEY_VAULT_URL: required when SECRET_STORE=key-vault (the vault URI, https://<name>.vault.azure.net)'];
  // The SDK sends bearer tokens over https only; say so at start rather than at the first secret.
  return new URL(raw.KEY_VAULT_URL).protocol === 'https:'
    ? []
    : [`KEY_VAULT_URL: must be an https URL (got ${raw.KEY_VAULT_URL})`];
}

function checkAzureFiles(raw: RawConfig): string[] {
  if (raw.FILE_STORE !== 'azure-files') return [];
  const problems: string[] = [];
  if (!raw.AZURE_FILES_SHARE)
    problems.push('AZURE_FILES_SHARE: required when FILE_STORE=azure-files (the name of the workspace share)');
  if (!raw.AZURE_FILES_CONNECTION_STRING === !raw.AZURE_FILES_ACCOUNT_URL) {
    problems.push(
      'AZURE_FILES_CONNECTION_STRING: set it or AZURE_FILES_ACCOUNT_URL (https://<account>.file.core.windows.net, signed in with the identity), exactly one of them, when FILE_STORE=azure-files',
    );
  } else if (raw.AZURE_FILES_ACCOUNT_URL && new URL(raw.AZURE_FILES_ACCOUNT_URL).protocol !== 'https:') {
    problems.push(`AZURE_FILES_ACCOUNT_URL: must be an https URL (got ${raw.AZURE_FILES_ACCOUNT_URL})`);
  }
  return problems;
}

function checkTables(raw: RawConfig): string[] {
  if (raw.METADATA_STORE !== 'azure-tables' || !raw.TABLES_ENDPOINT) return [];
  if (raw.TABLES_CONNECTION_STRING)
    return [
      'TABLES_ENDPOINT: set it or TABLES_CONNECTION_STRING, not both (the endpoint signs in with the identity, the connection string with a key)',
    ];
  // The SDK sends bearer tokens over https only; say so at start rather than at the first table call.
  return new URL(raw.TABLES_ENDPOINT).protocol === 'https:'
    ? []
    : [`TABLES_ENDPOINT: must be an https URL (got ${raw.TABLES_ENDPOINT})`];
}

const MULTI_TENANT_AUTHORITIES = new Set(['common', 'organizations', 'consumers']);
const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function entraSettings(raw: RawConfig): EntraAuthSettings {
  const tenant = raw.AUTH_TENANT_ID;
  const list = (value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  // A token's iss always names the tenant by GUID: a domain is resolved through the tenant's discovery document.
  const byDomain = !raw.AUTH_ISSUER && tenant !== undefined && !TENANT_GUID.test(tenant);
  return {
    // Entra issues v2 tokens by default and v1 tokens to APIs that still ask for them.
    issuers: raw.AUTH_ISSUER
      ? [raw.AUTH_ISSUER]
      : byDomain
        ? null
        : [`https://login.microsoftonline.com/${tenant}/v2.0`, `https://sts.windows.net/${tenant}/`],
    // checkAuth refused a missing audience; none at all would fail the authenticator's own check.
    audiences: list(raw.AUTH_AUDIENCE ?? ''),
    jwksUrl: raw.AUTH_JWKS_URL ?? `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
    discoveryUrl: byDomain ? `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration` : null,
  };
}
