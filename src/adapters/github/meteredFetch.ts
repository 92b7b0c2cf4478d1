import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { sendHttpRequest } from './sendHttpRequest';

/**
 * The fetch Octokit uses for one repository object, over node:http instead of the global fetch:
 * a process's first fetch loads undici and sets up its HTTP parser (60–85 ms against 14–19 ms),
 * and every answer then passes through web streams: a third of a 10-file sync on one core
 * (issue #10). Octokit reads only what `FetchAnswer` offers. It does three jobs Octokit cannot:
 * - counts every HTTP request (retries included; redirect hops are followed here and so count
 *   once), which is what GitHub charges against the rate limit;
 * - enforces an idle timeout: the answer must start, and each body chunk arrive, within
 *   `timeoutMs`;
 * - in 'buffered' mode reads the whole body before handing the answer to Octokit. Octokit
 *   swallows a failure while reading a success body (it returns "" or an empty buffer), so a
 *   connection reset mid-body would otherwise look like an empty blob. Reading it here turns the
 *   reset into a network error, which the client's request hook retries.
 * In 'streamed' mode the body is passed on as a Node stream (blobs, the tarball's redirect),
 * still under the idle timeout.
 */
type BodyMode = 'buffered' | 'streamed';

export interface MeteredFetchOptions {
  readonly bodyMode: BodyMode;
  readonly timeoutMs: number | undefined;
  readonly onRequest: () => void;
}

/** Statuses whose answer carries no body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** As fetch: at most 20 redirects. */
const MAX_REDIRECTS = 20;
/** What fetch asks for, so that GitHub may compress its JSON (a 50,000-entry tree is 7 MB of it). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** What Octokit passes to fetch (its request options); anything else is refused. */
interface FetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly redirect?: 'follow' | 'manual' | 'error';
  readonly signal?: AbortSignal | null;
}

export function meteredFetch(options: MeteredFetchOptions): typeof fetch {
  const timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : 0;
  const exchange = async (input: unknown, init: FetchInit = {}): Promise<FetchAnswer> => {
    options.onRequest();
    const method = (init.method ?? 'GET').toUpperCase();
    let answered: { answer: IncomingMessage; url: URL };
    try {
      answered = await follow(new URL(String(input)), method, init, timeoutMs);
    } catch (error) {
      throw asNetworkError(error);
    }
    const { answer, url } = answered;
    const status = answer.statusCode ?? 0;
    const head = { status, statusText: answer.statusMessage ?? '', url: url.href, headers: headersOf(answer) };
    if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
      answer.resume();
      return new FetchAnswer(head, null);
    }
    const body = decoded(answer);
    if (options.bodyMode === 'streamed') return new FetchAnswer(head, body);
    try {
      return new FetchAnswer(head, await readAll(body, announcedLengthOf(answer)));
    } catch (error) {
      throw asNetworkError(error);
    }
  };
  return exchange as unknown as typeof fetch;
}

/**
 * The answer as Octokit reads it from fetch: status, URL, headers (iterated and `get`), the body
 * (a Node stream when streamed, the bytes when buffered; null when there is none), and the body
 * as text or bytes.
 */
export class FetchAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: ReadonlyMap<string, string>;

  constructor(
    head: { status: number; statusText: string; url: string; headers: ReadonlyMap<string, string> },
    readonly body: Readable | Uint8Array | null,
  ) {
    this.status = head.status;
    this.statusText = head.statusText;
    this.url = head.url;
    this.headers = head.headers;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    const bytes = await this.bytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  private async bytes(): Promise<Uint8Array> {
    if (this.body === null) return new Uint8Array(0);
    return this.body instanceof Uint8Array ? this.body : readAll(this.body);
  }
}

/**
 * One request, and the redirects fetch's 'follow' follows (as fetch: a 303, or a 301/302 answering
 * a POST, goes on as a GET without body; credentials stay on the origin that was asked). Header
 * names are taken in lower case, as node:http sends them.
 */
async function follow(
  first: URL,
  firstMethod: string,
  init: FetchInit,
  timeoutMs: number,
): Promise<{ answer: IncomingMessage; url: URL }> {
  let url = first;
  let method = firstMethod;
  let body = bodyOf(init.body);
  const headers: Record<string, string> = { 'accept-encoding': ACCEPT_ENCODING };
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  const signal = init.signal ?? undefined;
  for (let hop = 0; ; hop++) {
    const answer = await sendHttpRequest(url, { method, headers, body, timeoutMs, signal });
    const status = answer.statusCode ?? 0;
    const location = answer.headers.location;
    if (init.redirect === 'manual' || !REDIRECT_STATUSES.has(status) || location === undefined) return { answer, url };
    answer.resume();
    if (init.redirect === 'error') throw new Error(`redirected (${status}) where no redirect was expected`);
    if (hop >= MAX_REDIRECTS) throw new Error('too many redirects');
    const next = new URL(location, url);
    if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
      delete headers['content-length'];
    }
    if (next.origin !== url.origin) delete headers.authorization;
    url = next;
  }
}

function bodyOf(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return body ?? undefined;
  }
  throw new TypeError('a GitHub request body must be text or bytes');
}

function headersOf(answer: IncomingMessage): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** The body as sent, decompressed when GitHub compressed it; a failure of either reaches the reader. */
function decoded(answer: IncomingMessage): Readable {
  const encoding = answer.headers['content-encoding']?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (decoder === undefined) return answer;
  return pipeline(answer, decoder, () => undefined);
}

/**
 * Every byte of `body`. With the length announced (an answer sent as it is, not compressed), the
 * chunks are copied into one buffer of that size as they come, so the chunks and their join are
 * never all held at once (a 50,000-entry tree listing is 7 MB: issue #10, peak memory); node:http
 * fails a body that ends short of its content-length. Otherwise the chunks are joined at the end,
 * and one chunk is taken as it is.
 */
async function readAll(body: Readable, announcedLength?: number): Promise<Uint8Array> {
  if (announcedLength !== undefined && announcedLength > 0) {
    const whole = Buffer.allocUnsafe(announcedLength);
    let filled = 0;
    for await (const chunk of body) filled += (chunk as Buffer).copy(whole, filled);
    return whole.subarray(0, filled);
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk as Uint8Array);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/** The body's length as announced, when what arrives is what was announced (no content-encoding). */
function announcedLengthOf(answer: IncomingMessage): number | undefined {
  if (answer.headers['content-encoding'] !== undefined) return undefined;
  const length = Number(answer.headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Octokit turns a TypeError with a cause into a RequestError (status 500, no answer), which the
 * client's request hook retries; an AbortError it rethrows untouched, never retried. So a timeout
 * or a reset is reported as fetch reports a network failure.
 */
function asNetworkError(error: unknown): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  return new TypeError('fetch failed', { cause });
}
