import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type TableConfigurationType from 'azurite/dist/src/table/TableConfiguration';
import type TableServerType from 'azurite/dist/src/table/TableServer';
import { type FolderLock, lockFolder } from './FolderLock';

/** Azurite's published development account; the key is public and the same on every machine. */
const DEVSTORE_ACCOUNT = 'devstoreaccount1';
export const DEVSTORE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface EmbeddedAzuriteOptions {
  /** Loopback by default: the emulator accepts the public development key from anyone who can reach it. */
  readonly host?: string;
  /** 0 (the default) lets the OS pick a free port; read it back from the result. */
  readonly port?: number;
  /**
   * Folder for the table database; omitted = in memory, gone at stop. Held with a lock file while
   * running: a second Azurite on the folder (another process) fails with FolderLockedError.
   */
  readonly persistencePath?: string;
  /** Serve HTTPS with this PEM certificate and key (files) instead of HTTP. */
  readonly https?: { readonly certFile: string; readonly keyFile: string };
  /**
   * Also accept Entra ID bearer tokens (over HTTPS only), checked as Azurite's `--oauth basic` does:
   * issuer, audience and lifetime, not the signature.
   */
  readonly oauth?: 'basic';
}

export interface RunningAzurite {
  readonly connectionString: string;
  /** The Table service of the development account: `http(s)://<host>:<port>/devstoreaccount1`. */
  readonly tableEndpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const DB_FILE_NAME = '__azurite_db_table__.json';

/**
 * Loads Azurite only when it is started: it is thousands of modules, and its telemetry library
 * (Application Insights) patches every Azure SDK client in the process on load, wrapping each
 * storage and Service Bus call in OpenTelemetry spans, unless told not to. We never send its
 * telemetry: the library is left out (below), and the patching switched off should it load anyway.
 */
export function loadAzurite(): {
  TableConfiguration: typeof TableConfigurationType;
  TableServer: typeof TableServerType;
} {
  process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL ??= 'true';
  try {
    return withoutApplicationInsights(() => ({
      TableConfiguration: (
        require('azurite/dist/src/table/TableConfiguration') as { default: typeof TableConfigurationType }
      ).default,
      TableServer: (require('azurite/dist/src/table/TableServer') as { default: typeof TableServerType }).default,
    }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    // A dev dependency: the image's production install (npm ci --omit=dev) leaves it out on purpose.
    throw new Error(
      "the embedded Azurite needs the package 'azurite', a dev dependency that a production install (npm ci --omit=dev) leaves out: " +
        'set TABLES_ENDPOINT or TABLES_CONNECTION_STRING to use an Azure Tables account (or METADATA_STORE=in-memory), ' +
        'or install the dev dependencies (npm ci) for local use',
      { cause: error },
    );
  }
}

/**
 * Azurite's telemetry module requires Application Insights when it loads (and with it OpenTelemetry's
 * SDK, its exporters and @azure/identity: about 2,700 of the 3,300 modules Azurite loads, most of its
 * start-up time) only to keep a reference for a telemetry client that nothing here ever starts (its
 * CLI does). While Azurite loads, an empty module stands in for it in the module cache, where Node
 * lets entries be added; it is taken out again afterwards, so nobody else is handed the stand-in.
 */
function withoutApplicationInsights<T>(load: () => T): T {
  let path: string;
  try {
    path = require.resolve('applicationinsights', {
      paths: [dirname(require.resolve('azurite/dist/src/common/Telemetry'))],
    });
  } catch {
    return load(); // another Azurite layout: load it as it is
  }
  if (require.cache[path]) return load(); // loaded already, by someone who uses it
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  require.cache[path] = standIn;
  try {
    return load();
  } finally {
    if (require.cache[path] === standIn) delete require.cache[path];
  }
}

/** A Table service listening, before any folder lock: what the worker thread runs too. */
export interface TableServerHandle {
  readonly connectionString: string;
  readonly tableEndpoint: string;
  readonly port: number;
  /** Stops listening; a persistent database is flushed to disk before it resolves. */
  close(): Promise<void>;
}

/**
 * Starts Azurite's Table service in the calling thread on `dbPath` (undefined = in memory). The caller
 * holds the folder lock: the lock's in-process bookkeeping lives in the main thread.
 */
export async function startTableServer(
  options: Omit<EmbeddedAzuriteOptions, 'persistencePath'>,
  dbPath: string | undefined,
): Promise<TableServerHandle> {
  const { TableConfiguration, TableServer } = loadAzurite();
  const host = options.host ?? '127.0.0.1';
  const configuration = new TableConfiguration(
    host,
    options.port ?? 0,
    5, // keep-alive timeout, seconds
    // In memory nothing is written, but Azurite still stat()s the path: make it one that never exists.
    dbPath ?? join(tmpdir(), `azurite-in-memory-${randomUUID()}.json`),
    false, // debug log
    false, // access log
    undefined,
    undefined,
    false, // loose
    false, // skip API version check
    options.https?.certFile ?? '',
    options.https?.keyFile ?? '',
    '',
    options.oauth,
    false, // product-style URLs stay enabled; we use path-style ones anyway
    dbPath === undefined,
  );
  const server = new TableServer(configuration);
  await server.start();
  const port = portOf(server.getHttpServerAddress());
  const protocol = options.https ? 'https' : 'http';
  const tableEndpoint = `${protocol}://${hostForUrl(host)}:${port}/${DEVSTORE_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=${protocol};AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};` +
    `TableEndpoint=${tableEndpoint};`;
  return { connectionString, tableEndpoint, port, close: () => server.close() };
}

/**
 * Claims the persistence folder (creating it) and says where the database goes; undefined = in memory.
 * A second Azurite on the folder, in this process or another, fails with FolderLockedError.
 */
export async function claimPersistence(
  persistencePath: string | undefined,
): Promise<{ dbPath: string | undefined; lock: FolderLock | undefined }> {
  if (persistencePath === undefined) return { dbPath: undefined, lock: undefined };
  const folder = resolve(persistencePath);
  await mkdir(folder, { recursive: true });
  return { dbPath: join(folder, DB_FILE_NAME), lock: await lockFolder(folder) };
}

/**
 * Azurite's Table service inside this process (no child process, no Docker). Telemetry lives only in
 * Azurite's CLI entry point (`table/main.js`), which this never loads, so nothing is sent anywhere;
 * debug and access logs are off. AzuriteWorker runs the same service in a worker thread.
 */
export const EmbeddedAzurite = {
  async start(options: EmbeddedAzuriteOptions = {}): Promise<RunningAzurite> {
    const { dbPath, lock } = await claimPersistence(options.persistencePath);
    let server: TableServerHandle;
    try {
      server = await startTableServer(options, dbPath);
    } catch (error) {
      await lock?.release();
      throw error;
    }
    let stopped = false;
    return {
      connectionString: server.connectionString,
      tableEndpoint: server.tableEndpoint,
      port: server.port,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await server.close();
        } finally {
          await lock?.release();
        }
      },
    };
  },
};

function portOf(address: string): number {
  // `http://<address>:<port>`; the address may be IPv6 without brackets, so take the last segment.
  const port = Number(/:(\d+)$/.exec(address)?.[1]);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`Azurite reported no listening port (address '${address}')`);
  }
  return port;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
