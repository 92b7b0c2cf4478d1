import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';

export interface Spooled {
  readonly path: string;
  dispose(): Promise<void>;
}

/**
 * Saves a response body to a private temp file at network speed. A tarball consumed directly from
 * fetch, as slowly as files are written, makes undici buffer the socket in many small chunks that
 * Node re-joins on every read: quadratic, minutes for 100 MB. Spooling first keeps both sides fast
 * and memory flat.
 */
export async function spoolToTempFile(body: ReadableStream<Uint8Array>): Promise<Spooled> {
  const folder = await mkdtemp(join(tmpdir(), 'wsync-archive-'));
  const dispose = () => rm(folder, { recursive: true, force: true });
  const path = join(folder, 'archive.tar.gz');
  try {
    await pipeline(Readable.fromWeb(body as NodeWebReadableStream<Uint8Array>), createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { path, dispose };
}
