import type { ShareDirectoryClient, ShareFileClient } from '@azure/storage-file-share';
import { FileStoreError } from '../../ports/FileStore';
import { mayNameATwin } from '../../ports/FileStoreNames';
import { errorCodeOf, statusOf } from './mapShareError';
import type { ShareFolders } from './ShareFolders';
import type { ShareTree } from './ShareTree';
import { joinSegments } from './sharePaths';

/** A rename is tried again after making its folder or clearing an empty folder out of its way. */
const PLACE_ATTEMPTS = 3;

export interface PlaceOptions {
  /** An empty folder at the target is removed (a rename); otherwise a folder there is a Conflict (a write). */
  readonly emptyFolderGivesWay: boolean;
  /** A file stored under another spelling of the target's NFC name is deleted once the new one is in place. */
  readonly replacesTwin: boolean;
  /** Asked when the target's folder is missing: a vanished source is NotFound, not a folder to make. */
  readonly sourceExists: () => Promise<boolean>;
  /** The source's segments when it is a store entry (a rename), so its own twin is never deleted. */
  readonly source?: string[];
}

/**
 * Moves `source` to `target` with one Rename (replace-if-exists). A missing folder on the way is
 * created and the rename tried again; a folder at the target is a Conflict for a write, and for a
 * rename gives way when empty. An NFC name of the target whose folders or file are stored under
 * another spelling lands in them (see FileStore): such folders take the NFC name first, such a
 * file is deleted once the new one is in place.
 */
export async function placeByRename(
  tree: ShareTree,
  folders: ShareFolders,
  source: ShareFileClient | ShareDirectoryClient,
  target: string[],
  operation: string,
  options: PlaceOptions,
): Promise<void> {
  const targetPath = joinSegments(target);
  const parent = target.slice(0, -1);
  if (parent.some(mayNameATwin)) await folders.renameTwinFolders(parent);
  const twin = options.replacesTwin ? await tree.twinFileOf(target) : null;
  for (let attempt = 1; ; attempt++) {
    try {
      await source.rename(targetPath, { replaceIfExists: true });
      break;
    } catch (error) {
      const code = errorCodeOf(error);
      if (attempt >= PLACE_ATTEMPTS) throw error;
      if (code === 'ParentNotFound') {
        if (!(await options.sourceExists()))
          throw new FileStoreError('NotFound', `${operation} '${targetPath}': the source is gone`);
        await folders.ensure(parent, targetPath);
        continue;
      }
      if (
        statusOf(error) === 409 &&
        (code === 'ResourceTypeMismatch' || code === 'ResourceAlreadyExists') &&
        (await tree.isDirectory(target))
      ) {
        if (!options.emptyFolderGivesWay)
          throw new FileStoreError('Conflict', `${operation} '${targetPath}': a folder is there`);
        await folders.removeEmpty(target, operation);
        continue;
      }
      throw error;
    }
  }
  const sameAsSource =
    twin !== null && options.source !== undefined && joinSegments(twin) === joinSegments(options.source);
  if (twin !== null && !sameAsSource) await tree.file(twin).deleteIfExists();
}
