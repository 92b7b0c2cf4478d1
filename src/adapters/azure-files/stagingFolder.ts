import type { ShareFileClient } from '@azure/storage-file-share';
import { PRIVATE_FOLDER } from '../../ports/FileStore';
import { errorCodeOf } from './mapShareError';
import type { ShareFolders } from './ShareFolders';
import type { ShareTree } from './ShareTree';

/** Where a write stages its content (Create File, then Put Range calls) before the Rename that publishes it. */
export const STAGING_SEGMENTS = [PRIVATE_FOLDER, 'tmp'];

/** Staged files older than this are leftovers of a crashed writer; younger ones may be in flight. */
const STALE_STAGED_AGE_MS = 60 * 60 * 1000;

/** Create File in the staging folder, recreating the folder once if someone removed it. */
export async function createStaged(folders: ShareFolders, file: ShareFileClient, size: number): Promise<void> {
  try {
    await file.create(size);
  } catch (error) {
    if (errorCodeOf(error) !== 'ParentNotFound') throw error;
    await folders.ensure(STAGING_SEGMENTS, PRIVATE_FOLDER);
    await file.create(size);
  }
}

/** Deletes what crashed writers left in the staging folder; failures are left for the next start. */
export async function removeStaleStagedFiles(tree: ShareTree): Promise<void> {
  const cutoff = Date.now() - STALE_STAGED_AGE_MS;
  const staged = (await tree.children(STAGING_SEGMENTS).catch(() => null)) ?? [];
  for (const child of staged) {
    if (child.kind === 'file' && child.modifiedAt.getTime() < cutoff) {
      await tree
        .file([...STAGING_SEGMENTS, child.name])
        .deleteIfExists()
        .catch(() => undefined);
    }
  }
}
