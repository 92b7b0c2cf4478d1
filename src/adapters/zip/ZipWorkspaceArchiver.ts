import { Readable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';
import { type FileEntry, type FileStore, FileStoreError } from '../../ports/FileStore';
import type { ArchiveRoot, WorkspaceArchiver } from '../../ports/WorkspaceArchiver';
import { isAlreadyCompressed } from './alreadyCompressed';
import { DeflateAhead, type SmallFiles } from './DeflateAhead';
import { DeflatePool } from './DeflatePool';
import { needsZip64 } from './needsZip64';
import { type PlannedEntry, planArchive } from './planArchive';
import { DEFAULT_READ_AHEAD, type ReadAheadLimits } from './ReadAhead';
import { YazlWorkspaceArchiver } from './YazlWorkspaceArchiver';
import { type ZipEntryMeta, ZipWriter } from './ZipWriter';

export interface ZipWorkspaceArchiverOptions {
  /** Deflate level, 1 (fastest) to 9 (smallest); 6, the usual default, when not given. */
  readonly compressionLevel?: number;
  /** How far small files are read (and compressed) ahead of the reader; bounded, so memory stays flat. */
  readonly readAhead?: ReadAheadLimits;
  /** Always write Zip64 (through yazl), as archives past 65,534 entries or 4 GB are written. */
  readonly forceZip64?: boolean;
  /** The threads that deflate small files; one of its own, started on first use, when not given. */
  readonly pool?: DeflatePool;
}

/** Size of the blocks handed to the reader (the last one may be smaller). */
const OUTPUT_BLOCK_BYTES = 64 * 1024;
/** Small files compressed in one go by a thread: enough to pay for the hand-over, small enough to share out. */
const BATCH_FILES = 32;
const BATCH_BYTES = 256 * 1024;

const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;
const DIRECTORY_MODE = 0o040755;

type Step =
  | { readonly kind: 'folder'; readonly meta: ZipEntryMeta }
  | { readonly kind: 'small'; readonly metas: readonly ZipEntryMeta[]; readonly batch: SmallFiles }
  | { readonly kind: 'large'; readonly meta: ZipEntryMeta; readonly file: FileEntry; readonly level: number };

/**
 * Zips folders of a FileStore. Small files are read a bounded window ahead and deflated in batches
 * by worker threads (every core compresses while the main thread writes; on a local volume the
 * threads read the files too, see ThreadReadable); large files
 * are streamed through deflate one at a time; entries go out in order as the reader pulls, so a
 * reader that stops reading stops the file reads. Already-compressed formats are stored. Archives
 * that need Zip64 (past 65,534 entries or near 4 GB) are written by yazl, one entry at a time.
 */
export class ZipWorkspaceArchiver implements WorkspaceArchiver {
  private readonly compressionLevel: number;
  private readonly readAhead: ReadAheadLimits;
  private readonly zip64: YazlWorkspaceArchiver;
  private ownPool: DeflatePool | undefined;

  constructor(
    private readonly store: FileStore,
    private readonly options: ZipWorkspaceArchiverOptions = {},
  ) {
    this.compressionLevel = options.compressionLevel ?? 6;
    this.readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    // Checks the level too.
    this.zip64 = new YazlWorkspaceArchiver(store, options);
  }

  zip(roots: readonly ArchiveRoot[]): AsyncIterable<Uint8Array> {
    return this.stream(roots);
  }

  private get pool(): DeflatePool {
    if (this.options.pool !== undefined) return this.options.pool;
    this.ownPool ??= new DeflatePool();
    return this.ownPool;
  }

  private async *stream(roots: readonly ArchiveRoot[]): AsyncGenerator<Uint8Array> {
    const zip64 = this.options.forceZip64 === true;
    // The threads start while the folders are listed, not when the first batch is ready.
    if (!zip64) this.pool.warm();
    const planned = await planArchive(this.store, roots);
    if (zip64 || needsZip64(planned)) {
      yield* this.zip64.zipPlanned(planned);
      return;
    }
    const steps = this.steps(planned);
    const batches = steps.flatMap((step) => (step.kind === 'small' ? [step.batch] : []));
    const ahead = new DeflateAhead(this.store, this.pool, batches, {
      bytes: this.readAhead.bytes,
      files: this.readAhead.files,
      largestFile: this.readAhead.largestFile,
    });
    const writer = new ZipWriter();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const send = (chunk: Uint8Array): void => {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
    };
    // Small entries make many small pieces: the reader (a file, an HTTP response) gets blocks.
    const block = (): Uint8Array => {
      const out = pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return out;
    };

    for (const step of steps) {
      ahead.fill();
      if (step.kind === 'folder') {
        for (const chunk of writer.whole(step.meta, 0, 0, 0, new Uint8Array(0))) send(chunk);
      } else if (step.kind === 'small') {
        const deflated = await ahead.take(step.batch);
        let at = 0;
        step.metas.forEach((meta, i) => {
          const compressedSize = deflated.compressedSizes[i] ?? 0;
          const data = deflated.data.subarray(at, at + compressedSize);
          at += compressedSize;
          const method = step.batch.levels[i] === 0 ? 0 : 8;
          const size = deflated.sizes[i] ?? 0;
          for (const chunk of writer.whole(meta, method, deflated.crcs[i] ?? 0, size, data)) send(chunk);
        });
        ahead.release(step.batch);
      } else {
        for await (const chunk of this.streamLarge(writer, step)) {
          send(chunk);
          if (pendingBytes >= OUTPUT_BLOCK_BYTES) yield block();
        }
      }
      if (pendingBytes >= OUTPUT_BLOCK_BYTES) yield block();
    }
    send(writer.finish());
    yield block();
  }

  /** A file too large to hold: read, checksummed and deflated piece by piece. */
  private async *streamLarge(writer: ZipWriter, step: Step & { kind: 'large' }): AsyncGenerator<Uint8Array> {
    const content = await this.store.readStream(step.file.path);
    if (content === null) {
      throw new FileStoreError('NotFound', `'${step.file.path}' vanished while the archive was being written`);
    }
    const checksum = { crc: 0, size: 0 };
    const source = Readable.from(checksummed(content, checksum), { objectMode: false });
    const output = step.level === 0 ? source : source.pipe(createDeflateRaw({ level: step.level }));
    if (output !== source) source.once('error', (error: Error) => output.destroy(error));
    try {
      yield writer.beginStreamed(step.meta, step.level === 0 ? 0 : 8);
      for await (const chunk of output) yield writer.streamedData(chunk as Buffer);
      yield writer.endStreamed(checksum.crc, checksum.size);
    } finally {
      // Closes the file when the reader stopped early or the read failed.
      output.destroy();
      source.destroy();
    }
  }

  /** The plan as the writer takes it: folders, batches of small files, large files on their own. */
  private steps(planned: readonly PlannedEntry[]): Step[] {
    const steps: Step[] = [];
    let metas: ZipEntryMeta[] = [];
    let files: FileEntry[] = [];
    let levels: number[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (files.length === 0) return;
      steps.push({ kind: 'small', metas, batch: { files, levels, bytes } });
      metas = [];
      files = [];
      levels = [];
      bytes = 0;
    };
    for (const { name, entry } of planned) {
      if (entry.kind === 'directory') {
        flush();
        steps.push({ kind: 'folder', meta: { name: `${name}/`, modifiedAt: entry.modifiedAt, mode: DIRECTORY_MODE } });
        continue;
      }
      const meta = { name, modifiedAt: entry.modifiedAt, mode: entry.executable ? EXECUTABLE_MODE : FILE_MODE };
      // Level 0 stores: deflating a png or a zip again costs time and saves nothing.
      const level = isAlreadyCompressed(name) ? 0 : this.compressionLevel;
      if (entry.size > this.readAhead.largestFile) {
        flush();
        steps.push({ kind: 'large', meta, file: entry, level });
        continue;
      }
      if (files.length >= BATCH_FILES || (files.length > 0 && bytes + entry.size > BATCH_BYTES)) flush();
      metas.push(meta);
      files.push(entry);
      levels.push(level);
      bytes += entry.size;
    }
    flush();
    return steps;
  }
}

/** The chunks, adding each to the running checksum and size. */
async function* checksummed(
  chunks: AsyncIterable<Uint8Array>,
  into: { crc: number; size: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    into.crc = crc32(chunk, into.crc);
    into.size += chunk.byteLength;
    yield chunk;
  }
}
