import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { READ_IN_THREAD_SOURCE } from '../local-volume/readInThread';

/** Files to compress together: their bytes one after another, a size and a level (0 = store) each. */
export interface DeflateBatch {
  readonly bytes: Uint8Array;
  readonly sizes: readonly number[];
  readonly levels: readonly number[];
}

/** Files for the thread to read itself (see ThreadReadable), with a level each; none larger than `largest`. */
export interface FilesToRead {
  readonly paths: readonly string[];
  readonly levels: readonly number[];
  readonly largest: number;
}

/** The batch compressed: each file's data one after another, with its checksum and compressed size. */
export interface DeflatedBatch {
  readonly data: Uint8Array;
  /** Each file's size as read. */
  readonly sizes: readonly number[];
  readonly crcs: readonly number[];
  readonly compressedSizes: readonly number[];
}

/**
 * The worker's code, evaluated rather than loaded from a file, so it runs the same from the compiled
 * service and from the TypeScript sources the tests run. One-shot zlib calls: a zlib stream per small
 * file costs more in object setup and teardown than the deflate itself.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
${READ_IN_THREAD_SOURCE}
function compress(id, contents, levels) {
  const outputs = [];
  const sizes = [];
  const crcs = [];
  const compressedSizes = [];
  let total = 0;
  for (let i = 0; i < contents.length; i++) {
    const content = contents[i];
    sizes.push(content.byteLength);
    crcs.push(zlib.crc32(content));
    const out = levels[i] === 0 ? content : zlib.deflateRawSync(content, { level: levels[i] });
    outputs.push(out);
    compressedSizes.push(out.byteLength);
    total += out.byteLength;
  }
  // A fresh buffer of its own, so it can be transferred (pooled Buffers cannot).
  const data = new Uint8Array(total);
  let offset = 0;
  for (const out of outputs) {
    data.set(out, offset);
    offset += out.byteLength;
  }
  parentPort.postMessage({ id, data, sizes, crcs, compressedSizes }, [data.buffer]);
}
parentPort.on('message', ({ id, bytes, sizes, paths, levels, largest }) => {
  try {
    if (paths !== undefined) {
      const contents = [];
      for (const path of paths) {
        const content = readInThread(fs, path, largest);
        // The store's own read decides about this batch.
        if (content === null) return parentPort.postMessage({ id, unread: true });
        contents.push(content);
      }
      return compress(id, contents, levels);
    }
    const contents = [];
    let at = 0;
    for (const size of sizes) {
      contents.push(bytes.subarray(at, at + size));
      at += size;
    }
    compress(id, contents, levels);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack || error) });
  }
});
// Loads zlib's binding and compiles the hot paths while the archive is still being listed.
zlib.crc32(zlib.deflateRawSync(Buffer.alloc(4096, 1), { level: 6 }));
`;

interface Task {
  readonly resolve: (batch: DeflatedBatch | null) => void;
  readonly reject: (error: Error) => void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly tasks: Map<number, Task>;
}

/** At most this many threads. */
const MAX_WORKERS = 4;

/**
 * A core for each thread but one, for the main thread, which lists the folders and writes the
 * archive (a thread for every core too was tried: on a busy machine it only added contention).
 */
function defaultSize(): number {
  return Math.max(1, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

/**
 * A few worker threads that deflate batches of files (reading them first, on a store that lets
 * them), so compression uses every core while the main thread writes. Threads start on first use
 * or when warmed, and stop after `idleMs` without work; an idle thread never keeps the process alive.
 */
export class DeflatePool {
  private readonly workers: PooledWorker[] = [];
  private nextId = 0;
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly size = defaultSize(),
    private readonly idleMs = 2_000,
  ) {}

  /** Threads running now. */
  get threads(): number {
    return this.workers.length;
  }

  deflate(batch: DeflateBatch): Promise<DeflatedBatch> {
    // The batch's bytes are the archiver's own copy: moved, not copied again.
    return this.send(batch, [batch.bytes.buffer as ArrayBuffer]) as Promise<DeflatedBatch>;
  }

  /**
   * Has a thread read the files itself and deflate them; null when it could not vouch for one of
   * them (see readInThread): the caller then reads them through the store.
   */
  readAndDeflate(files: FilesToRead): Promise<DeflatedBatch | null> {
    return this.send(files, []);
  }

  /** Starts the threads now (they stop again when idle), so they are up once the first batch comes. */
  warm(): void {
    while (this.workers.length < this.size) this.start();
    if (this.pending === 0) this.stopWhenIdle();
  }

  private send(message: DeflateBatch | FilesToRead, transfer: ArrayBuffer[]): Promise<DeflatedBatch | null> {
    clearTimeout(this.idleTimer);
    const pooled = this.leastBusy();
    const id = this.nextId++;
    return new Promise<DeflatedBatch | null>((resolve, reject) => {
      pooled.tasks.set(id, { resolve, reject });
      this.pending++;
      pooled.worker.ref(); // the process waits for work it asked for
      pooled.worker.postMessage({ id, ...message }, transfer);
    });
  }

  /** Stops every thread now; work in flight fails. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const stopping = this.workers.splice(0).map((pooled) => {
      this.fail(pooled, new Error('the deflate pool was closed'));
      return pooled.worker.terminate();
    });
    await Promise.all(stopping);
  }

  private leastBusy(): PooledWorker {
    let best: PooledWorker | undefined;
    for (const pooled of this.workers) if (best === undefined || pooled.tasks.size < best.tasks.size) best = pooled;
    if (best !== undefined && (best.tasks.size === 0 || this.workers.length >= this.size)) return best;
    return this.start();
  }

  private start(): PooledWorker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const pooled: PooledWorker = { worker, tasks: new Map() };
    this.workers.push(pooled);
    worker.unref();
    worker.on('message', (message: { id: number; error?: string; unread?: true } & DeflatedBatch) => {
      const task = pooled.tasks.get(message.id);
      if (task === undefined) return;
      pooled.tasks.delete(message.id);
      this.settled(pooled);
      if (message.error !== undefined) task.reject(new Error(`deflate failed: ${message.error}`));
      else task.resolve(message.unread === true ? null : message);
    });
    const lost = (error: Error): void => {
      const at = this.workers.indexOf(pooled);
      if (at !== -1) this.workers.splice(at, 1);
      this.fail(pooled, error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a deflate thread stopped (exit code ${code})`)));
    return pooled;
  }

  private fail(pooled: PooledWorker, error: Error): void {
    for (const task of pooled.tasks.values()) {
      this.pending--;
      task.reject(error);
    }
    pooled.tasks.clear();
  }

  private settled(pooled: PooledWorker): void {
    this.pending--;
    if (pooled.tasks.size === 0) pooled.worker.unref();
    if (this.pending === 0) this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }
}
