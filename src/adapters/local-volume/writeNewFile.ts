import { promises as fs, constants as fsConstants } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { FileContent } from '../../ports/FileStore';
import { errnoOf } from './mapFsError';

/** Creates the file; O_EXCL also refuses a link at its name instead of following it. */
const CREATE_NEW = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0);

/** Opens a file created at `absolute` with `mode`; EEXIST when anything is at that name. */
function openNewFile(absolute: string, mode: number): Promise<fs.FileHandle> {
  return fs.open(absolute, CREATE_NEW, mode);
}

/**
 * Writes `content` through `handle` and closes it: for bytes, the writes and one close. Not atomic:
 * callers write where nobody reads (a temp file, a scratch file in staging) and remove the file
 * when this fails.
 */
async function writeAndClose(handle: fs.FileHandle, content: FileContent): Promise<void> {
  if (content instanceof Uint8Array) {
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return;
  }
  // The write stream owns the handle from here and closes it on finish and on error.
  await pipeline(content, handle.createWriteStream());
}

/** Wraps caller content so a failure of the content itself can be told apart from an fs failure. */
export class TrackedSource {
  failed = false;
  error: unknown;
  constructor(private readonly content: AsyncIterable<Uint8Array>) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of this.content) yield chunk;
    } catch (error) {
      this.failed = true;
      this.error = error;
      throw error;
    }
  }
}

/**
 * Creates the file at `absolute` with `content` and `mode` (a leftover at that name is removed
 * first); when its folder is missing, `remakeFolder` and one more try. `chmod` follows only where
 * the caller needs it (umask took bits off the mode given at create, and a mode change sticks).
 */
export async function createFile(
  absolute: string,
  content: FileContent,
  mode: number,
  remakeFolder: () => Promise<void>,
  chmod: ((absolute: string, mode: number) => Promise<void>) | null,
): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await openNewFile(absolute, mode);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT') await remakeFolder();
    else if (errno === 'EEXIST')
      await fs.unlink(absolute); // never follows a link at that name
    else throw error;
    handle = await openNewFile(absolute, mode);
  }
  await writeAndClose(handle, content);
  if (chmod !== null) await chmod(absolute, mode);
}
