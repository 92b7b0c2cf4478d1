import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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
 * Batch buffers travel to the thread and back, and are used again: memory then holds a few of
 * them, not one per batch until the thread's garbage collector runs. A larger batch (one large
 * file) gets a buffer of its own.
 */
const BUFFER_BYTES = 2 * BATCH_BYTES;
const SPARE_BUFFERS = 4;
/** The thread's memory is given back once it has had nothing to do for this long. */
const IDLE_MS = 10_000;

/** The thread's file: the compiled `.js` beside this one, or the `.ts` source where tests run it. */
const THREAD_FILE = path.join(__dirname, `scratchWriterThread${path.extname(__filename)}`);

interface Queued {
  readonly file: ScratchFile;
  readonly bytes: Uint8Array;
  readonly settle: (outcome: ScratchOutcome) => void;
}

/**
 * Hands scratch writes of whole files to a thread of their own (scratchWriterThread), in batches:
 * the files' bytes are copied into one buffer that moves to the thread without another copy. The
 * main thread goes on unpacking meanwhile, and each write resolves once its file is on disk, with
 * what failed (see ScratchOutcome). The thread starts on the first write, never keeps the process
 * alive (it is referenced only while writes are out), stops after IDLE_MS without work, and stops
 * for good at `close`. If it dies, the writes out fail with EIO and the next write starts another.
 */
export class ScratchWriter {
  private thread: Worker | undefined;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private flushing: NodeJS.Immediate | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, Queued[]>();
  private readonly spare: ArrayBuffer[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly data: ScratchThreadData) {}

  /** Writes `bytes` as the file `name` in the store folder `folder` (made where missing) with `mode`. */
  write(folder: string, name: string, bytes: Uint8Array, mode: number): Promise<ScratchOutcome> {
    if (this.closed) return Promise.resolve({ errno: 'EBADF' });
    if (this.queuedBytes + bytes.byteLength > BUFFER_BYTES) this.flush();
    return new Promise((settle) => {
      this.queue.push({ file: { folder, name, offset: 0, length: bytes.byteLength, mode }, bytes, settle });
      this.queuedBytes += bytes.byteLength;
      if (this.queuedBytes >= BATCH_BYTES || this.queue.length >= BATCH_FILES) this.flush();
      else this.flushing ??= setImmediate(() => this.flush());
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

  private flush(): void {
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    const size = this.queuedBytes;
    const bytes =
      size <= BUFFER_BYTES
        ? new Uint8Array(this.spare.pop() ?? new ArrayBuffer(BUFFER_BYTES), 0, size)
        : new Uint8Array(size);
    this.queue = [];
    this.queuedBytes = 0;
    let offset = 0;
    const files = batch.map(({ file, bytes: content }) => {
      bytes.set(content, offset);
      const placed = { ...file, offset };
      offset += content.byteLength;
      return placed;
    });
    const id = this.nextId++;
    this.waiting.set(id, batch);
    this.post({ kind: 'write', id, bytes, files }, [bytes.buffer as ArrayBuffer]);
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
    const thread = new Worker(THREAD_FILE, { workerData: this.data });
    thread.unref();
    thread.on('message', (reply: ScratchReply) => this.settle(reply));
    thread.on('error', () => this.lost(thread));
    thread.on('exit', () => this.lost(thread));
    this.thread = thread;
    return thread;
  }

  private settle(reply: ScratchReply): void {
    const batch = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (reply.buffer.byteLength === BUFFER_BYTES && this.spare.length < SPARE_BUFFERS) this.spare.push(reply.buffer);
    for (const [index, queued] of (batch ?? []).entries()) {
      const outcome = reply.outcomes[index]; // null: written
      queued.settle(outcome === undefined ? { errno: 'EIO' } : outcome);
    }
    if (this.waiting.size === 0 && this.thread !== undefined) {
      this.thread.unref();
      this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS).unref();
    }
  }

  /** The thread ended (stopped, or crashed): whatever it still had fails, and the next write starts another. */
  private lost(thread: Worker): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    for (const batch of this.waiting.values()) for (const queued of batch) queued.settle({ errno: 'EIO' });
    this.waiting.clear();
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
