import { resolve } from 'node:path';
import { AzuriteWorker } from '../adapters/azure-tables/AzuriteWorker';
import type { RunningAzurite } from '../adapters/azure-tables/EmbeddedAzurite';
import { FolderLockedError } from '../adapters/azure-tables/FolderLock';
import type { Config } from './config';
import { StartupConflictError } from './StartupConflictError';

/** `npm start` with no Tables account configured keeps its tables in the embedded Azurite. */
function usesEmbeddedTables(config: Config): boolean {
  return config.METADATA_STORE === 'azure-tables' && !config.TABLES_ENDPOINT && !config.TABLES_CONNECTION_STRING;
}

/** Where the embedded Azurite keeps its database. */
export function embeddedTablesFolder(config: Config): string {
  return resolve(config.dataDir, 'azurite');
}

/** Started ahead by main.ts, waiting for the metadata module to take it; by folder. */
const prestarted = new Map<string, Promise<RunningAzurite>>();

/**
 * Starts the embedded Azurite now, in its worker thread, so that it loads on the other core while
 * the main thread loads the service's modules; startEmbeddedTables takes it over. Nothing when the
 * configuration names another store.
 */
export function prestartEmbeddedTables(config: Config): void {
  if (!usesEmbeddedTables(config)) return;
  const folder = embeddedTablesFolder(config);
  if (prestarted.has(folder)) return;
  const starting = AzuriteWorker.start({ persistencePath: folder });
  starting.catch(() => undefined); // reported when taken over, not as an unhandled rejection meanwhile
  prestarted.set(folder, starting);
}

/** Stops an Azurite started ahead and never taken over (the start failed before it was needed). */
export async function discardPrestartedTables(): Promise<void> {
  const pending = [...prestarted.values()];
  prestarted.clear();
  await Promise.all(pending.map((starting) => starting.then((azurite) => azurite.stop()).catch(() => undefined)));
}

/**
 * The embedded Azurite on `folder`: the one started ahead, or a new one. A folder held by another
 * process is a StartupConflictError naming it.
 */
export async function startEmbeddedTables(folder: string): Promise<RunningAzurite> {
  const starting = prestarted.get(folder) ?? AzuriteWorker.start({ persistencePath: folder });
  prestarted.delete(folder);
  try {
    return await starting;
  } catch (error) {
    if (!(error instanceof FolderLockedError)) throw error;
    throw new StartupConflictError(
      `the embedded Azurite's folder ${folder} is in use by process ${error.holderPid} (another workspace-sync on the same DATA_DIR?): ` +
        `stop it, or give this one its own DATA_DIR; if no such process runs, delete ${error.lockFile}`,
    );
  }
}
