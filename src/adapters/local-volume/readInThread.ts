import { existsSync } from 'node:fs';
import { resolveInsideRoot } from './resolveInsideRoot';

/**
 * The source of `readInThread(fs, absolute, largest)`, for a worker thread that reads files of the
 * store itself (see ThreadReadable): evaluated there, since a worker cannot load the TypeScript the
 * tests run. Synchronous calls, as a worker may make them: open, fstat, readlink, read and close,
 * with no hop through the libuv pool and none of the main thread's time.
 *
 * It answers the bytes, or null whenever it cannot vouch for them; the store's own read then decides
 * (gone, a link, an error, or the file after all). The last component is opened with O_NOFOLLOW
 * (O_NONBLOCK: a FIFO swapped in must not hang the thread), and before anything is read the kernel
 * says where the opened file is (/proc/self/fd): it must be the path asked for, which the store built
 * from its real root and the names it listed. A folder on the way swapped for a link leads elsewhere,
 * so that file is closed unread. This checks the file actually opened, after opening it, so there is
 * no window between the check and the open, as there is for the main thread's realpath, lstat, open.
 */
export const READ_IN_THREAD_SOURCE = `
function readInThread(fs, absolute, largest) {
  const c = fs.constants;
  let fd;
  try {
    fd = fs.openSync(absolute, c.O_RDONLY | c.O_NOFOLLOW | c.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile() || stats.size > largest) return null;
    if (fs.readlinkSync('/proc/self/fd/' + fd) !== absolute) return null;
    // As the store's read: the size seen when opened (a file that grew is cut there), less if it
    // shrank, and a file that says 0 bytes is read to its end.
    if (stats.size > 0) {
      const bytes = new Uint8Array(stats.size);
      let filled = 0;
      while (filled < bytes.byteLength) {
        const count = fs.readSync(fd, bytes, filled, bytes.byteLength - filled, null);
        if (count === 0) break;
        filled += count;
      }
      return filled === bytes.byteLength ? bytes : bytes.slice(0, filled);
    }
    const chunks = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(64 * 1024);
      const count = fs.readSync(fd, chunk, 0, chunk.byteLength, null);
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      total += count;
      if (total > largest) return null;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return bytes;
  } catch {
    return null;
  } finally {
    try {
      fs.closeSync(fd);
    } catch {}
  }
}
`;

/** Where the kernel names each open file; without it (not Linux, no /proc) threads do not read. */
const OPEN_FILES_NAMED = process.platform === 'linux' && existsSync('/proc/self/fd');

/**
 * The absolute path a thread passes to readInThread for `storePath`, or null when only the store's
 * own read may read it (no /proc, or a path the store refuses: its read gives the error).
 */
export function threadReadPath(root: string, storePath: string): string | null {
  if (!OPEN_FILES_NAMED) return null;
  try {
    const target = resolveInsideRoot(root, storePath);
    return target.relative === '' ? null : target.absolute;
  } catch {
    return null;
  }
}
