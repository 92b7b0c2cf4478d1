import { createHash, type Hash } from 'node:crypto';

/**
 * git's object name for a blob of `size` bytes, computed as the bytes pass: sha1 of
 * `blob <size>\0` followed by the content. The size comes first in what is hashed, so it must be
 * known up front (the tree's size, or an archive header's); the hasher then refuses a byte more
 * and reports a byte less, so a stream can be checked without ever holding it whole.
 */
export class GitBlobHasher {
  private readonly hash: Hash;
  private seen = 0;

  constructor(readonly size: number) {
    this.hash = createHash('sha1').update(`blob ${size}\0`);
  }

  /** Bytes hashed so far. */
  get length(): number {
    return this.seen;
  }

  /** Adds a chunk; false (and nothing added) when it would take the content past `size`. */
  add(chunk: Uint8Array): boolean {
    if (this.seen + chunk.byteLength > this.size) return false;
    this.hash.update(chunk);
    this.seen += chunk.byteLength;
    return true;
  }

  /** The blob SHA once exactly `size` bytes were added, else null. Call once. */
  digest(): string | null {
    return this.seen === this.size ? this.hash.digest('hex') : null;
  }
}

/** git's object name for bytes held whole. */
export function gitBlobSha(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}
