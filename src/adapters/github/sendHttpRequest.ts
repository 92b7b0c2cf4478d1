import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpRequestOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | undefined;
  /** Longest silence of the network, from the request to the answer's last byte; 0 for none. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** The network stayed silent longer than the request's timeout. */
class NetworkSilence extends Error {
  constructor(timeoutMs: number) {
    super(`no data from GitHub for ${timeoutMs} ms`);
    this.name = 'NetworkSilence';
  }
}

/**
 * One HTTP exchange over node:http(s) (keep-alive: the global agents), resolved once the answer's
 * head arrives; its body is the answer itself, a Node stream still to read. The socket's idle
 * timeout covers the wait for the answer and every pause in its body: the request, or the body
 * once answered, fails with NetworkSilence. An aborted signal fails it with the signal's reason.
 */
export function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const { method, headers, timeoutMs, signal } = options;
    let answer: IncomingMessage | undefined;
    const request = send(url, { method, headers, timeout: timeoutMs }, (response) => {
      answer = response;
      signal?.removeEventListener('abort', onAbort);
      resolve(response);
    });
    // Once answered, it is the body that stalls: its reader gets the failure.
    const fail = (error: Error): void => void (answer ?? request).destroy(error);
    const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    request.on('timeout', () => fail(new NetworkSilence(timeoutMs)));
    request.on('error', reject);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    request.end(options.body);
  });
}
