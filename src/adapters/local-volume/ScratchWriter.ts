import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ScratchRing } from './ScratchRing';
import type {
  ScratchFile,
  ScratchOutcome,
  ScratchReply,
  ScratchRequest,
  ScratchThreadData,
} from './scratchWriterThread';

/** Files' bytes gathered before a batch goes to the thread at once (else it goes on the next turn). */
const BATCH_BYTES = 1024 * 1024;
const BATCH_FILES = 64;
/**
 * The buffer shared with the thread (see ScratchRing): the most bytes copied for it and not yet
 * written. Several batches fit, so the thread always has the next one while this side fills
 * another; a file larger than this gets a buffer of its own.
 */
const RING_BYTES = 4 * BATCH_BYTES;
/** The thread's memory is given back once it has had nothing to do for this long. */
const IDLE_MS = 10_000;
/**
 * The thread keeps only folder names and one batch's file list: a young generation of 1 MB (the
 * default grows to 16) and a small old one keep its isolate small (issue #10: peak memory).
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 64 };

/** The thread's file: the compiled `.js` beside this one, or the `.ts` source where tests run it. */
const THREAD_FILE = path.join(__dirname, `scratchWriterThread${path.extname(__filename)}`);

type Settle = (outcome: ScratchOutcome) => void;

interface Queued {
  readonly file: ScratchFile;
  readonly bytes: Uint8Array;
  readonly settle: Settle;
}

/** A batch sent: how to answer each of its files, and whether its bytes are in the ring. */
interface Sent {
  readonly settles: Settle[];
  readonly inRing: boolean;
}

/**
 * Hands scratch writes of whole files to a thread of their own (scratchWriterThread), in batches:
 * the files' bytes are copied into a buffer shared with the thread (ScratchRing), which bounds the
 * bytes waiting for it; a batch that finds no room waits there until the thread has written
 * earlier ones (backpressure on the callers, whose writes resolve later). The main thread goes on
 * unpacking meanwhile, and each write resolves once its file is on disk, with what failed (see
 * ScratchOutcome). The thread starts on the first write, never keeps the process
 * alive (it is referenced only while writes are out), stops after IDLE_MS without work, and stops
 * for good at `close`. If it dies, the writes out fail with EIO and the next write starts another.
 */
export class ScratchWriter {
  private thread: Worker | undefined;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private flushing: NodeJS.Immediate | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, Sent>();
  private readonly ring = new ScratchRing(RING_BYTES);
  /** The most bytes the ring held at once (for tests). */
  private ringHighWater = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly data: Omit<ScratchThreadData, 'ring'>) {}

  /** Writes `bytes` as the file `name` in the store folder `folder` (made where missing) with `mode`. */
  write(folder: string, name: string, bytes: Uint8Array, mode: number): Promise<ScratchOutcome> {
    if (this.closed) return Promise.resolve({ errno: 'EBADF' });
    if (this.queuedBytes + bytes.byteLength > BATCH_BYTES) this.flush();
    return new Promise((settle) => {
      this.queue.push({ file: { folder, name, offset: 0, length: bytes.byteLength, mode }, bytes, settle });
      this.queuedBytes += bytes.byteLength;
      if (this.queuedBytes >= BATCH_BYTES || this.queue.length >= BATCH_FILES) this.flush();
      // While the thread is busy its next answer sends what gathered meanwhile: fuller batches, fewer messages.
      else if (this.waiting.size === 0) this.flushing ??= setImmediate(() => this.flush());
    });
  }

  /** Folders may have gone or moved since the thread made them: it looks at each again. */
  forget(): void {
    if (this.thread === undefined) return;
    this.flush(); // writes asked for before this still go to the folders as they were
    this.post({ kind: 'forget' });
  }

  /** Stops the thread; writes still out fail, later ones fail at once. */
  async close(): Promise<void> {
    this.closed = true;
    this.flush();
    await this.stop();
  }

  /** Whether the thread is running (for tests). */
  get running(): boolean {
    return this.thread !== undefined;
  }

  /** The shared buffer's size and the most of it held at once (for tests). */
  get ringUse(): { readonly capacity: number; readonly highWater: number } {
    return { capacity: this.ring.capacity, highWater: this.ringHighWater };
  }

  /** Sends what is queued, batch by batch, as far as the ring has room; the rest waits for an answer. */
  private flush(): void {
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.flushing = undefined;
    while (this.queue.length > 0) {
      const { count, size } = this.nextBatch();
      const ownBuffer = size > this.ring.capacity;
      const start = ownBuffer ? 0 : this.ring.take(size);
      if (start === null) return; // no room: sent again when the thread answers
      const batch = this.queue.splice(0, count);
      this.queuedBytes -= size;
      const bytes = ownBuffer ? new Uint8Array(size) : this.ring.bytes;
      let offset = start;
      const files = batch.map(({ file, bytes: content }) => {
        bytes.set(content, offset);
        const placed = { ...file, offset };
        offset += content.byteLength;
        return placed;
      });
      this.ringHighWater = Math.max(this.ringHighWater, this.ring.bytesHeld);
      const id = this.nextId++;
      this.waiting.set(id, { settles: batch.map((queued) => queued.settle), inRing: !ownBuffer });
      if (ownBuffer) this.post({ kind: 'write', id, bytes, files }, [bytes.buffer as ArrayBuffer]);
      else this.post({ kind: 'write', id, files });
    }
  }

  /** The queued files that make the next batch: up to BATCH_BYTES and BATCH_FILES, at least one. */
  private nextBatch(): { readonly count: number; readonly size: number } {
    let count = 0;
    let size = 0;
    for (const { bytes } of this.queue) {
      if (count > 0 && (count >= BATCH_FILES || size + bytes.byteLength > BATCH_BYTES)) break;
      size += bytes.byteLength;
      count += 1;
    }
    return { count, size };
  }

  private post(request: ScratchRequest, transfer: ArrayBuffer[] = []): void {
    const thread = this.start();
    if (this.waiting.size > 0) thread.ref();
    thread.postMessage(request, transfer);
  }

  private start(): Worker {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.thread !== undefined) return this.thread;
    const workerData: ScratchThreadData = { ...this.data, ring: this.ring.buffer };
    const thread = new Worker(THREAD_FILE, { workerData, resourceLimits: THREAD_LIMITS });
    thread.unref();
    thread.on('message', (reply: ScratchReply) => this.settle(reply));
    thread.on('error', () => this.lost(thread));
    thread.on('exit', () => this.lost(thread));
    this.thread = thread;
    return thread;
  }

  private settle(reply: ScratchReply): void {
    const sent = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (sent?.inRing) this.ring.release(); // answers come in the order the batches went
    for (const [index, settle] of (sent?.settles ?? []).entries()) {
      const outcome = reply.outcomes[index]; // null: written
      settle(outcome === undefined ? { errno: 'EIO' } : outcome);
    }
    if (this.queue.length > 0) this.flush(); // batches that waited for room
    if (this.waiting.size === 0 && this.thread !== undefined) {
      this.thread.unref();
      this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS).unref();
    }
  }

  /** The thread ended (stopped, or crashed): whatever it still had fails, and the next write starts another. */
  private lost(thread: Worker): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    for (const sent of this.waiting.values()) for (const settle of sent.settles) settle({ errno: 'EIO' });
    this.waiting.clear();
    this.ring.releaseAll();
    // Not sent yet: fail too, rather than start thread after thread for them.
    const unsent = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const queued of unsent) queued.settle({ errno: 'EIO' });
  }

  private async stop(): Promise<void> {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const thread = this.thread;
    if (thread === undefined) return;
    if (this.waiting.size > 0 && !this.closed) return; // busy again: stays
    this.lost(thread);
    await thread.terminate();
  }
}
