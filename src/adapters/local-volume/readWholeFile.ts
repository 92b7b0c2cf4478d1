import { close, read } from './fsCallbacks';
import { mapFsError } from './mapFsError';
import type { OpenedDescriptor } from './openForReading';

/** What FileHandle.readFile refuses to read into one buffer (kIoMaxLength): kept, so big files fail alike. */
const LARGEST_READ = 2 ** 31 - 1;

/** Read size when the size is not known (a file that says 0 bytes may still have some). */
const UNKNOWN_SIZE_CHUNK = 64 * 1024;

/**
 * Reads the opened file whole and closes it. The size comes from the fstat done when it was opened,
 * so unlike FileHandle.readFile there is no second fstat, and a small file costs one read. As
 * readFile: at most that many bytes (a file that grew since is cut where it was), fewer if it shrank,
 * and a file that says 0 bytes is read to its end.
 */
export async function readWholeFile(file: OpenedDescriptor): Promise<Uint8Array> {
  try {
    if (file.stats.size > LARGEST_READ) {
      throw Object.assign(new RangeError(`file is too large (${file.stats.size} bytes)`), {
        code: 'ERR_FS_FILE_TOO_LARGE',
      });
    }
    return file.stats.size > 0 ? await readKnownSize(file.fd, file.stats.size) : await readToEnd(file.fd);
  } catch (error) {
    throw mapFsError(error, 'read', file.relative);
  } finally {
    await close(file.fd).catch(() => undefined);
  }
}

async function readKnownSize(fd: number, size: number): Promise<Uint8Array> {
  // Not from the shared pool: the bytes may be handed to a worker thread, which must own them alone.
  const bytes = Buffer.allocUnsafeSlow(size);
  let filled = 0;
  while (filled < size) {
    const count = await read(fd, bytes, filled, size - filled);
    if (count === 0) break;
    filled += count;
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, filled);
}

async function readToEnd(fd: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.allocUnsafeSlow(UNKNOWN_SIZE_CHUNK);
    const count = await read(fd, chunk, 0, chunk.byteLength);
    if (count === 0) break;
    chunks.push(chunk.subarray(0, count));
  }
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  return bytes === undefined ? new Uint8Array(0) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
