import { type FileEntry, type FileStore, FileStoreError } from '../../ports/FileStore';
import type { DeflatedBatch, DeflatePool } from './DeflatePool';
import { isThreadReadable } from './ThreadReadable';

/** Consecutive small files of an archive, compressed together. */
export interface SmallFiles {
  readonly files: readonly FileEntry[];
  /** Deflate level of each file; 0 stores it. */
  readonly levels: readonly number[];
  /** Their sizes when listed. */
  readonly bytes: number;
}

export interface DeflateAheadLimits {
  /** Bytes of listed file content read ahead and not yet written, at most (one batch may pass it alone). */
  readonly bytes: number;
  /** Files read ahead and not yet written, at most. */
  readonly files: number;
  /** The largest file of a batch: a file that has grown past it since it was listed is read by the store. */
  readonly largestFile: number;
}

/**
 * Reads batches of small files ahead of the archive's writer, in order, and has the pool deflate
 * them, keeping at most `limits` of content in flight: the writer releases a batch once written,
 * and only then may more be read, so a reader that stops reading the archive stops the reads.
 */
export class DeflateAhead {
  private readonly started = new Map<SmallFiles, Promise<DeflatedBatch>>();
  private next = 0;
  private bytesAhead = 0;
  private filesAhead = 0;
  /** Whether the pool's threads read the files (see ThreadReadable), until one batch shows they cannot. */
  private threadReads: boolean;

  constructor(
    private readonly store: FileStore,
    private readonly pool: DeflatePool,
    private readonly batches: readonly SmallFiles[],
    private readonly limits: DeflateAheadLimits,
  ) {
    this.threadReads = isThreadReadable(store);
  }

  /** Starts what the limits allow. */
  fill(): void {
    while (this.next < this.batches.length) {
      const batch = this.batches[this.next];
      if (batch === undefined) return; // not reached: the loop stops at the end of the list
      const empty = this.started.size === 0;
      if (!empty && this.bytesAhead + batch.bytes > this.limits.bytes) return;
      if (!empty && this.filesAhead + batch.files.length > this.limits.files) return;
      const deflating = this.readAndDeflate(batch);
      deflating.catch(() => undefined); // seen when taken; an abandoned archive never takes it
      this.started.set(batch, deflating);
      this.bytesAhead += batch.bytes;
      this.filesAhead += batch.files.length;
      this.next++;
    }
  }

  /** The batch compressed; call in order. Fails with NotFound when one of its files is gone. */
  async take(batch: SmallFiles): Promise<DeflatedBatch> {
    this.fill();
    const deflating = this.started.get(batch);
    if (deflating === undefined) throw new RangeError('batches must be taken in order');
    return deflating;
  }

  /** The batch is written: its room goes to the next ones. */
  release(batch: SmallFiles): void {
    if (!this.started.delete(batch)) return;
    this.bytesAhead -= batch.bytes;
    this.filesAhead -= batch.files.length;
  }

  private async readAndDeflate(batch: SmallFiles): Promise<DeflatedBatch> {
    const paths = this.threadReadPaths(batch);
    if (paths !== null) {
      const done = await this.pool.readAndDeflate({ paths, levels: batch.levels, largest: this.limits.largestFile });
      if (done !== null) return done;
      // A file changed under the archive, or the threads cannot check what they open on this volume:
      // the store reads the rest, rather than every batch going to a thread twice.
      this.threadReads = false;
    }
    const contents = await Promise.all(
      batch.files.map(async (file) => {
        const content = await this.store.read(file.path);
        if (content === null) {
          throw new FileStoreError('NotFound', `'${file.path}' vanished while the archive was being written`);
        }
        return content;
      }),
    );
    // One buffer of the archiver's own, moved to the thread whole: no copy per file on the way.
    const sizes = contents.map((content) => content.byteLength);
    const bytes = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
    let at = 0;
    for (const content of contents) {
      bytes.set(content, at);
      at += content.byteLength;
    }
    return this.pool.deflate({ bytes, sizes, levels: batch.levels });
  }

  /** Where the pool's threads read the batch's files themselves, when the store lets them read all of them. */
  private threadReadPaths(batch: SmallFiles): string[] | null {
    if (!this.threadReads || !isThreadReadable(this.store)) return null;
    const paths: string[] = [];
    for (const file of batch.files) {
      const path = this.store.threadReadPath(file.path);
      if (path === null) return null;
      paths.push(path);
    }
    return paths;
  }
}
