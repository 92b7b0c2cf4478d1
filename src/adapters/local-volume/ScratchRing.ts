/** A stretch of the ring a batch was copied into. */
interface Region {
  start: number;
  end: number;
}

/**
 * The one buffer shared with the writing thread (see ScratchWriter): each batch is copied into a
 * free stretch of it, and the stretch is free again once the thread answers. The thread answers
 * batches in the order they were sent, so stretches are taken at the head and given back at the
 * tail, as in a ring. Memory then holds this buffer whatever the number of files, instead of a
 * buffer per batch until the garbage collector frees it, and the bytes waiting for the thread can
 * never exceed it: a batch that finds no room waits for the thread.
 */
export class ScratchRing {
  readonly buffer: SharedArrayBuffer;
  readonly bytes: Uint8Array;
  /** Taken stretches, oldest first. */
  private readonly regions: Region[] = [];
  private head = 0;
  private held = 0;

  constructor(readonly capacity: number) {
    this.buffer = new SharedArrayBuffer(capacity);
    this.bytes = new Uint8Array(this.buffer);
  }

  /** Bytes handed out and not yet given back. */
  get bytesHeld(): number {
    return this.held;
  }

  /** The start of a free stretch of `length` bytes, now taken; null when there is no room yet. */
  take(length: number): number | null {
    if (this.held === 0) {
      // Nothing held (stretches of empty batches hold no bytes): start again at the beginning.
      for (const region of this.regions) region.start = region.end = 0;
      this.head = 0;
    }
    const start = this.freeStart(length);
    if (start === null) return null;
    this.regions.push({ start, end: start + length });
    this.head = start + length;
    this.held += length;
    return start;
  }

  /** Gives back the oldest stretch taken. */
  release(): void {
    const region = this.regions.shift();
    if (region !== undefined) this.held -= region.end - region.start;
  }

  /** Gives back every stretch (the thread that read them is gone). */
  releaseAll(): void {
    this.regions.length = 0;
    this.held = 0;
  }

  private freeStart(length: number): number | null {
    if (length > this.capacity) return null;
    const tail = this.regions[0]?.start ?? 0;
    if (this.head > tail || this.held === 0) {
      if (this.capacity - this.head >= length) return this.head;
      return tail >= length ? 0 : null; // the end is too short: wrap around
    }
    return tail - this.head >= length ? this.head : null;
  }
}
