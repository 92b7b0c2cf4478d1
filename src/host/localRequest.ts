import type { IncomingMessage } from 'node:http';

/**
 * What @azure/functions' HttpRequest wraps (its `nativeRequest`), over a node:http request: the URL,
 * method and headers at once, the body only when a handler asks for it. A web `Request` and a body
 * stream for every request cost more CPU than the rest of a webhook's handling (a CPU profile), and
 * most answers (refusals, webhooks read as bytes) never need the `Request`: it is built on first use
 * of the methods that read through it.
 */
export class LocalNativeRequest {
  #body: ReadableStream<Uint8Array> | null | undefined;
  #request: Request | undefined;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    /** The request whose body this is; null when it has none (GET, HEAD, no length). */
    private readonly source: IncomingMessage | null,
  ) {}

  get body(): ReadableStream<Uint8Array> | null {
    this.#body ??= this.source === null ? null : bodyStreamOf(this.source);
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#request?.bodyUsed ?? this.#body?.locked ?? false;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#asRequest().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.#asRequest().blob();
  }
  formData(): Promise<FormData> {
    return this.#asRequest().formData();
  }
  json(): Promise<unknown> {
    return this.#asRequest().json();
  }
  text(): Promise<string> {
    return this.#asRequest().text();
  }
  clone(): Request {
    return this.#asRequest().clone();
  }

  #asRequest(): Request {
    const body = this.body;
    this.#request ??= new Request(this.url, {
      method: this.method,
      headers: this.headers,
      ...(body === null ? {} : { body, duplex: 'half' }),
    } as RequestInit);
    return this.#request;
  }
}

/**
 * The request body as a web stream the handler pulls from, with backpressure. A handler that stops
 * reading (body too large) cancels it: the request, with the rest of its bytes, stays with the
 * server, which answers and then drains or closes the connection.
 */
function bodyStreamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  const onData = (chunk: Buffer) => {
    if (settled) return;
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const settle = (end: () => void) => {
    if (settled) return;
    settled = true;
    req.removeListener('data', onData);
    end();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
        // Built on first use: the client may have gone already, and its 'close' been emitted.
        if (req.errored || (req.destroyed && !req.complete)) {
          settle(() =>
            controller.error(
              req.errored ?? new Error('the client closed the connection before sending the whole body'),
            ),
          );
          return;
        }
        req.on('data', onData);
        req.once('end', () => settle(() => controller.close()));
        req.once('error', (error) => settle(() => controller.error(error)));
        req.once('close', () => {
          if (!req.complete)
            settle(() => controller.error(new Error('the client closed the connection before sending the whole body')));
        });
      },
      pull() {
        if (!settled) req.resume();
      },
      cancel() {
        settle(() => req.pause());
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}
