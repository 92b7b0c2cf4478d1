import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { FileStore } from '../../ports/FileStore';
import type { ArchiveRoot, WorkspaceArchiver } from '../../ports/WorkspaceArchiver';
import { isAlreadyCompressed } from './alreadyCompressed';
import { type PlannedEntry, planArchive } from './planArchive';
import { DEFAULT_READ_AHEAD, ReadAhead, type ReadAheadLimits } from './ReadAhead';

export interface YazlWorkspaceArchiverOptions {
  /** Deflate level, 1 (fastest) to 9 (smallest); 6, the usual default, when not given. */
  readonly compressionLevel?: number;
  /** How far small files are read ahead of the compressor (bounded, so memory stays flat). */
  readonly readAhead?: ReadAheadLimits;
}

/** Size of the blocks handed to the reader (the last one may be smaller). */
const OUTPUT_BLOCK_BYTES = 64 * 1024;

const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;
const DIRECTORY_MODE = 0o040755;

/**
 * Zips folders of a FileStore with yazl. Folders are listed first (metadata only), then yazl pulls
 * one file at a time through deflate into its output, which is piped with backpressure: a reader
 * that stops reading stops the file reads, so memory holds a few chunks (plus a bounded read-ahead
 * of small files) whatever the workspace size. Already-compressed formats are stored, not deflated.
 */
export class YazlWorkspaceArchiver implements WorkspaceArchiver {
  private readonly compressionLevel: number;
  private readonly readAhead: ReadAheadLimits;

  constructor(
    private readonly store: FileStore,
    options: YazlWorkspaceArchiverOptions = {},
  ) {
    this.compressionLevel = options.compressionLevel ?? 6;
    this.readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    if (!Number.isInteger(this.compressionLevel) || this.compressionLevel < 1 || this.compressionLevel > 9) {
      throw new Error(`compressionLevel must be an integer from 1 to 9, got ${this.compressionLevel}`);
    }
  }

  zip(roots: readonly ArchiveRoot[]): AsyncIterable<Uint8Array> {
    return this.stream(roots);
  }

  private async *stream(roots: readonly ArchiveRoot[]): AsyncGenerator<Uint8Array> {
    yield* this.zipPlanned(await planArchive(this.store, roots));
  }

  /** The archive of entries planned already (Zip64 where needed). */
  async *zipPlanned(planned: readonly PlannedEntry[]): AsyncGenerator<Uint8Array> {
    const zipfile = new ZipFile();
    // The typings say NodeJS.ReadableStream; it is a PassThrough, which can be destroyed.
    const output = zipfile.outputStream as Readable;
    const openSources = new Set<Readable>();
    let finished = false;
    // yazl reports faults as 'error' on the ZipFile; ending the output with it makes the reader's
    // iteration throw instead of ending as if the archive were whole.
    const fail = (error: unknown): void => {
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    };
    zipfile.on('error', fail);

    const files = planned.filter(({ entry }) => entry.kind === 'file').map(({ entry }) => entry);
    const reader = new ReadAhead(this.store, files, this.readAhead);
    let fileIndex = 0;
    for (const { name, entry } of planned) {
      if (entry.kind === 'directory') {
        zipfile.addEmptyDirectory(name, { mtime: entry.modifiedAt, mode: DIRECTORY_MODE });
        continue;
      }
      const index = fileIndex++;
      const options = {
        mtime: entry.modifiedAt,
        mode: entry.executable ? EXECUTABLE_MODE : FILE_MODE,
        // Level 0 stores: deflating a png or a zip again costs time and saves nothing.
        compressionLevel: isAlreadyCompressed(name) ? 0 : this.compressionLevel,
      };
      // Called by yazl when it reaches this entry, in order, one entry at a time.
      zipfile.addReadStreamLazy(name, options, (deliver) => {
        reader.take(index).then(
          (content) => {
            const source =
              content instanceof Uint8Array ? readableOf(content) : Readable.from(content, { objectMode: false });
            if (finished) {
              source.destroy(); // the reader went away while this file was being opened: close it
              return;
            }
            openSources.add(source);
            source.once('close', () => openSources.delete(source));
            // yazl pipes the source without watching its errors: a failed read must fail the zip.
            source.once('error', fail);
            deliver(null, source);
          },
          (error: unknown) => deliver(error, undefined as never),
        );
      });
    }
    zipfile.end();

    try {
      // yazl writes a header, a little data and a descriptor per small file: handing those on one
      // by one would cost the reader (a file, an HTTP response) a write each.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of output) {
        const bytes = chunk as Buffer;
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        if (pendingBytes >= OUTPUT_BLOCK_BYTES) {
          // A block of one chunk is that chunk: no copy.
          yield pending.length === 1 ? bytes : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
    } finally {
      // A reader that stops early (or a failure) must not leave a file open. `fail` stays attached:
      // a late fault of an abandoned archive then lands on the destroyed output, not the process.
      finished = true;
      output.destroy();
      for (const source of openSources) source.destroy();
    }
  }
}

/** A stream of one buffer; lighter than Readable.from, which pays a promise per item. */
function readableOf(bytes: Uint8Array): Readable {
  return new Readable({
    read() {
      this.push(bytes);
      this.push(null);
    },
  });
}
