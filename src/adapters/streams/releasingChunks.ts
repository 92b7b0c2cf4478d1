import type { Readable } from 'node:stream';

/**
 * The chunks of a stream, with read failures passed through `mapError` (so stores report their own
 * fault type). Hand-made rather than a generator: `return()` must release the stream (a file
 * handle, a connection) even when iteration never began, which a generator's `return()` skips.
 */
export function releasingChunks(stream: Readable, mapError: (error: unknown) => Error): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      return {
        async next() {
          try {
            return await chunks.next();
          } catch (error) {
            throw mapError(error);
          }
        },
        async return() {
          stream.destroy();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
