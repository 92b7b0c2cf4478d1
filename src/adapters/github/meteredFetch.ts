/**
 * The fetch Octokit uses for one repository object. It does three jobs Octokit cannot:
 * - counts every HTTP request (retries included; redirect hops are followed inside fetch and so
 *   count once), which is what GitHub charges against the rate limit;
 * - enforces an idle timeout: the response must start, and each body chunk arrive, within
 *   `timeoutMs`;
 * - in 'buffered' mode reads the whole body before handing the response to Octokit. Octokit
 *   swallows a failure while reading a success body (it returns "" or an empty buffer), so a
 *   connection reset mid-body would otherwise look like an empty blob. Reading it here turns the
 *   reset into a network error, which the client's request hook retries.
 * In 'streamed' mode the body is passed on as a stream (the tarball), still under the idle timeout.
 */
type BodyMode = 'buffered' | 'streamed';

export interface MeteredFetchOptions {
  readonly bodyMode: BodyMode;
  readonly timeoutMs: number | undefined;
  readonly onRequest: () => void;
}

/** Statuses whose Response must not carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function meteredFetch(options: MeteredFetchOptions): typeof fetch {
  return async (input, init) => {
    options.onRequest();
    const watchdog = new IdleWatchdog(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, watchdog.signal]) : watchdog.signal;
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal });
    } catch (error) {
      watchdog.stop();
      throw asNetworkError(error, watchdog);
    }
    watchdog.stop();
    const responseInit = { status: response.status, statusText: response.statusText, headers: response.headers };
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return response;
    const body = guardBody(response.body, watchdog);
    if (options.bodyMode === 'streamed') return new Response(body, responseInit);
    let bytes: ArrayBuffer;
    try {
      bytes = await new Response(body).arrayBuffer();
    } catch (error) {
      throw asNetworkError(error, watchdog);
    }
    return new Response(oneChunk(new Uint8Array(bytes)), responseInit);
  };
}

/**
 * The read body as a stream of one chunk. A Response made from the bytes themselves would copy
 * them, and a tree listing runs up to GitHub's 7 MB (issue #10: peak memory).
 */
function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Aborts the request when the network stays silent for `timeoutMs` while we wait on it. */
class IdleWatchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;

  constructor(readonly timeoutMs: number | undefined) {
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(): void {
    this.stop();
    if (this.timeoutMs === undefined || this.timeoutMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no data from GitHub for ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Re-arms the watchdog only while we are actually waiting for the next chunk. */
function guardBody(body: ReadableStream<Uint8Array>, watchdog: IdleWatchdog): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      watchdog.arm();
      try {
        const { done, value } = await reader.read();
        watchdog.stop();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        watchdog.stop();
        controller.error(watchdog.timedOut ? new Error(`no data from GitHub for ${watchdog.timeoutMs} ms`) : error);
      }
    },
    async cancel(reason) {
      watchdog.stop();
      await reader.cancel(reason);
    },
  });
}

/**
 * Octokit turns a TypeError with a cause into a RequestError (status 500, no response), which the
 * client's request hook retries; an AbortError it rethrows untouched, never retried. So a timeout is
 * reported as the same kind of failure as a reset.
 */
function asNetworkError(error: unknown, watchdog: IdleWatchdog): Error {
  if (watchdog.timedOut) {
    return new TypeError('fetch failed', { cause: new Error(`no data from GitHub for ${watchdog.timeoutMs} ms`) });
  }
  if (error instanceof TypeError && 'cause' in error) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return new TypeError('fetch failed', { cause });
}
