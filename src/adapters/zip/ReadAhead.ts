import { type FileEntry, type FileStore, FileStoreError } from '../../ports/FileStore';

export interface ReadAheadLimits {
  /** How many files past the one being archived may be read already. */
  readonly files: number;
  /** Bytes read ahead and not yet taken, at most. */
  readonly bytes: number;
  /** Files larger than this are never read ahead; they are streamed when their turn comes. */
  readonly largestFile: number;
}

export const DEFAULT_READ_AHEAD: ReadAheadLimits = { files: 128, bytes: 4 * 1024 * 1024, largestFile: 512 * 1024 };

/**
 * Opens the files of an archive in order, reading a bounded window of small files ahead. A
 * workspace is mostly small scripts, and opening, reading and closing each in turn leaves the
 * compressor waiting on one round trip after another; reading the next few meanwhile hides that,
 * while memory stays within `limits.bytes`. Large files are streamed, one at a time.
 */
export class ReadAhead {
  private readonly started = new Map<number, Promise<Uint8Array | null>>();
  private nextToStart = 0;
  private bytesAhead = 0;

  constructor(
    private readonly store: FileStore,
    private readonly files: readonly FileEntry[],
    private readonly limits: ReadAheadLimits = DEFAULT_READ_AHEAD,
  ) {}

  /** The content of `files[index]`; call with increasing indexes. Fails with NotFound when it is gone. */
  async take(index: number): Promise<Uint8Array | AsyncIterable<Uint8Array>> {
    const file = this.files[index];
    if (file === undefined) throw new RangeError(`no file ${index} to archive`);
    let early = this.started.get(index);
    if (early !== undefined) {
      this.started.delete(index);
      this.bytesAhead -= file.size;
    }
    this.nextToStart = Math.max(this.nextToStart, index + 1);
    this.fill(index);
    if (early === undefined && this.isSmall(file)) early = this.store.read(file.path);
    const content = early !== undefined ? await early : await this.store.readStream(file.path);
    if (content === null) {
      throw new FileStoreError('NotFound', `'${file.path}' vanished while the archive was being written`);
    }
    return content;
  }

  private fill(current: number): void {
    while (this.nextToStart < this.files.length && this.nextToStart - current <= this.limits.files) {
      const index = this.nextToStart;
      const file = this.files[index];
      if (file === undefined) return; // not reached: the loop stops at the end of the list
      if (this.isSmall(file)) {
        if (this.bytesAhead + file.size > this.limits.bytes) return;
        const reading = this.store.read(file.path);
        reading.catch(() => undefined); // seen when taken; an abandoned archive never takes it
        this.started.set(index, reading);
        this.bytesAhead += file.size;
      }
      this.nextToStart++;
    }
  }

  private isSmall(file: FileEntry): boolean {
    return file.size <= this.limits.largestFile;
  }
}
