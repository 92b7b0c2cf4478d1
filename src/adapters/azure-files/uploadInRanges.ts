import type { ShareFileClient } from '@azure/storage-file-share';
import type { FileContent } from '../../ports/FileStore';

/** Put Range takes at most 4 MiB a call (REST reference, Put Range). */
const MAX_RANGE_BYTES = 4 * 1024 * 1024;

/** Marks a failure of the caller's content itself (a download broke), to hand back untouched. */
export class ContentSourceError extends Error {
  constructor(readonly original: unknown) {
    super('the content being written failed');
    this.name = 'ContentSourceError';
  }
}

/**
 * Creates `file` and writes `content` into it with Put Range calls of at most 4 MiB. A file on a
 * share has a size fixed at creation, so streamed content of unknown length is collected into one
 * 4 MiB buffer at a time (memory stays bounded): content that fits is one Create File and one Put
 * Range, as bytes are; a longer stream grows the file (Set File Properties) before each further range.
 * `create` may recreate a missing folder and try again (see AzureFilesFileStore).
 */
export async function uploadInRanges(
  file: ShareFileClient,
  content: FileContent,
  create: (size: number) => Promise<void>,
): Promise<void> {
  if (content instanceof Uint8Array) {
    await create(content.byteLength);
    for (let offset = 0; offset < content.byteLength; offset += MAX_RANGE_BYTES) {
      const length = Math.min(MAX_RANGE_BYTES, content.byteLength - offset);
      // Only the caller's view, never the rest of its buffer; sent before we return, so the caller
      // may change its buffer afterwards.
      await file.uploadRange(Buffer.from(content.buffer, content.byteOffset + offset, length), offset, length);
    }
    return;
  }
  const buffer = Buffer.allocUnsafe(MAX_RANGE_BYTES);
  let filled = 0;
  let written = 0;
  let created = false;
  const flush = async (): Promise<void> => {
    if (!created) {
      await create(filled);
      created = true;
    } else {
      await file.resize(written + filled);
    }
    if (filled > 0) await file.uploadRange(buffer.subarray(0, filled), written, filled);
    written += filled;
    filled = 0;
  };
  const chunks = content[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw new ContentSourceError(error);
    }
    if (next.done === true) break;
    let chunk = next.value;
    try {
      while (chunk.byteLength > 0) {
        const taken = Math.min(chunk.byteLength, MAX_RANGE_BYTES - filled);
        buffer.set(chunk.subarray(0, taken), filled);
        filled += taken;
        chunk = chunk.subarray(taken);
        if (filled === MAX_RANGE_BYTES) await flush();
      }
    } catch (error) {
      // The share failed mid-stream: let the source release what it holds (a download, a file).
      await chunks.return?.().catch(() => undefined);
      throw error;
    }
  }
  if (filled > 0 || !created) await flush();
}
