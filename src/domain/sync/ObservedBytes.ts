/**
 * A byte stream passed on unchanged while it is counted, with its first failure remembered (a
 * consumer such as a store may wrap it) and, when asked, its chunks copied into `kept`.
 */
export class ObservedBytes {
  length = 0;
  failure: unknown = undefined;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly kept: Uint8Array[] | null = null,
  ) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of this.source) {
        this.length += chunk.byteLength;
        this.kept?.push(chunk.slice());
        yield chunk;
      }
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }
}

/**
 * All of a stream's chunks as one array, allocated from the bytes that came, not from a claim. A
 * stream of one chunk gives that chunk as it is (sources hand their chunks over: see SourceBytes):
 * most archive files come in one, and the store copies them anyway (issue #10: a full sync
 * copied its 100 MB once more here). A view holds its larger buffer only until the store has
 * taken it, and the files in flight are consecutive in the archive, so they share those buffers.
 */
export async function readWhole(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks);
}

/** The chunks joined into one new array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}
