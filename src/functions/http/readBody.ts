import type { HttpRequest } from '@azure/functions';
import pLimit from 'p-limit';

export type BodyRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly tooLarge: true }
  /** Too many large bodies are being read: answer 503 with retry-after. */
  | { readonly ok: false; readonly busy: true }
  /** The caller went away (or the connection broke) before the body was complete: the caller's doing, not a fault. */
  | { readonly ok: false; readonly aborted: true };

/** Bodies that may pass this size are read under `largeBodies`; smaller ones (every JSON body) never wait. */
const LARGE_BODY_BYTES = 1024 * 1024;

/**
 * Large bodies read at once by this process (MAX_CONCURRENT_UPLOADS, set when the handlers are
 * built); as many more may wait for a turn, and beyond that a body is refused without being read.
 * Only authenticated callers get here: handlers read bodies after the wrapper has checked the token.
 */
export const largeBodies = pLimit(4);

/** The same bound for webhook deliveries, kept apart: anyone may send one, and must not hold up uploads. */
export const largeWebhookBodies = pLimit(4);

export function limitConcurrentUploads(max: number): void {
  largeBodies.concurrency = max;
  largeWebhookBodies.concurrency = max;
}

/** Reads the request body, giving up (without buffering the rest) once it passes `maxBytes`. */
export async function readBody(request: HttpRequest, maxBytes: number, gate = largeBodies): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, tooLarge: true };
  const body = request.body;
  if (!body) return { ok: true, bytes: new Uint8Array(0) };
  const mayBeLarge = maxBytes > LARGE_BODY_BYTES && !(Number.isFinite(declared) && declared <= LARGE_BODY_BYTES);
  if (!mayBeLarge) return readAll(body, maxBytes);
  if (gate.pendingCount >= gate.concurrency) return { ok: false, busy: true };
  return gate(() => readAll(body, maxBytes));
}

async function readAll(body: NonNullable<HttpRequest['body']>, maxBytes: number): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      return { ok: false, aborted: true };
    }
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/** The media type of the body, lower-cased, without parameters; null when the request names none. */
export function mediaTypeOf(request: HttpRequest): string | null {
  const header = request.headers.get('content-type');
  if (!header) return null;
  const [mediaType = ''] = header.split(';'); // split always gives at least one part
  return mediaType.trim().toLowerCase();
}
