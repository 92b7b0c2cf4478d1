import type { FileStore } from '../../../src/ports/FileStore';

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const LOCAL_HEADER_BYTES = 30;

/**
 * Measures, without looking at the process's memory, how much file content an archiver has taken
 * from its store and not yet finished with: bytes handed out by the store (a whole read at once, a
 * stream chunk by chunk as it is pulled, a path for a thread to read as it is given out) minus the sizes of the files the archive has moved past.
 * Zip writes entries one after another, each behind a local header naming it, so once the reader
 * has seen the header of file k, every file before it is done. Depends only on what was read and
 * what came out, never on the machine's load or the garbage collector.
 */
export class ContentHeld {
  private handedOut = 0;
  private finished = 0;
  private current = 0;
  private highest = 0;
  private carry = Buffer.alloc(0);
  private readonly seen = new Set<string>();

  /** `sizes`: every file the archive will hold, by its name in the archive. */
  constructor(private readonly sizes: ReadonlyMap<string, number>) {}

  /** Most content held at any moment so far, in bytes. */
  get peak(): number {
    return this.highest;
  }

  /** The store, reporting the content it hands out. */
  meter(store: FileStore): FileStore {
    const took = (bytes: number): void => {
      this.handedOut += bytes;
      this.highest = Math.max(this.highest, this.handedOut - this.finished);
    };
    const sizes = this.sizes;
    return new Proxy(store, {
      get(target, key) {
        if (key === 'read') {
          return async (path: string) => {
            const bytes = await target.read(path);
            if (bytes !== null) took(bytes.byteLength);
            return bytes;
          };
        }
        // A file the archiver's threads read themselves (see ThreadReadable) is handed out, at its
        // listed size, when its path is asked for: the archiver asks as it sends the file to a thread.
        if (key === 'threadReadPath' && typeof Reflect.get(target, key) === 'function') {
          return (path: string) => {
            const local = (target as FileStore & { threadReadPath(path: string): string | null }).threadReadPath(path);
            if (local !== null) took(sizes.get(path) ?? 0);
            return local;
          };
        }
        if (key === 'readStream') {
          return async (path: string) => {
            const chunks = await target.readStream(path);
            return chunks === null ? null : counted(chunks, took);
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Feed every chunk of the archive, in order, as the reader receives it. */
  received(chunk: Uint8Array): void {
    const bytes = Buffer.concat([this.carry, chunk]);
    // A header cut by the chunk boundary is looked at again with the next chunk.
    let keepFrom = Math.max(0, bytes.length - (LOCAL_HEADER.length - 1));
    for (let at = bytes.indexOf(LOCAL_HEADER); at !== -1; at = bytes.indexOf(LOCAL_HEADER, at + 1)) {
      if (
        at + LOCAL_HEADER_BYTES > bytes.length ||
        at + LOCAL_HEADER_BYTES + bytes.readUInt16LE(at + 26) > bytes.length
      ) {
        keepFrom = Math.min(keepFrom, at);
        break;
      }
      const name = bytes.toString(
        'utf8',
        at + LOCAL_HEADER_BYTES,
        at + LOCAL_HEADER_BYTES + bytes.readUInt16LE(at + 26),
      );
      const size = this.sizes.get(name);
      if (size === undefined || this.seen.has(name)) continue; // a folder, or bytes inside compressed data
      this.seen.add(name);
      this.finished += this.current;
      this.current = size;
    }
    this.carry = Buffer.from(bytes.subarray(keepFrom));
  }
}

async function* counted(chunks: AsyncIterable<Uint8Array>, took: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    took(chunk.byteLength);
    yield chunk;
  }
}
