import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FOLDER_MODE } from './modes';
import type { ModeCalls } from './probeVolume';

/** Temp files older than this are leftovers of a crashed writer; younger ones may be in flight. */
const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** Takes group and world access away from a folder the service owns; best effort. */
export async function closeToOthers(folder: string, calls: ModeCalls): Promise<void> {
  await calls.chmod(folder, FOLDER_MODE).catch(() => undefined);
}

export async function removeStaleTempFiles(tempFolder: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_AGE_MS;
  for (const name of await fs.readdir(tempFolder)) {
    const file = path.join(tempFolder, name);
    const stats = await fs.lstat(file).catch(() => null);
    if (stats !== null && stats.mtimeMs < cutoff) await fs.rm(file, { force: true, recursive: true });
  }
}
