import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

/** Redirects followed after the first (codeload answers at once; this only bounds a loop). */
const MAX_REDIRECTS = 5;

export interface DownloadOptions {
  readonly userAgent: string;
  /** Longest silence of the network, from the request to the last byte; 0 for none. */
  readonly timeoutMs: number;
}

/**
 * A failed download, shaped as the adapter's error mapping (httpFailureOf) reads an HTTP failure:
 * `status` and `response` when the server answered, neither when the network failed.
 */
class DownloadFailure extends Error {
  readonly status: number | undefined;
  readonly response: { readonly headers: Record<string, string> } | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'DownloadFailure';
    this.status = status;
    this.response = status === undefined ? undefined : { headers: {} };
  }
}

/**
 * The response of a plain GET of `url` (an archive on codeload), redirects followed, as a Node
 * stream. Through node:http rather than fetch: downloading a 90 MB archive through fetch's web
 * streams cost 50–85 % more CPU (issue #10). The socket's idle timeout covers the wait for the
 * answer and every pause in the body; a body that stalls fails with DownloadFailure.
 */
export function downloadArchive(url: string, options: DownloadOptions, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = new URL(url).protocol === 'https:' ? httpsGet : httpGet;
    const headers = { 'user-agent': options.userAgent };
    let answer: IncomingMessage | undefined;
    const request = get(url, { headers, timeout: options.timeoutMs }, (response) => {
      answer = response;
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined && redirects < MAX_REDIRECTS) {
        response.resume();
        resolve(downloadArchive(new URL(location, url).href, options, redirects + 1));
      } else if (status !== 200) {
        response.resume();
        reject(new DownloadFailure(`the archive's download was answered ${status}`, status));
      } else resolve(response);
    });
    // Once answered, it is the body that stalls: its reader gets the failure.
    request.on('timeout', () => {
      (answer ?? request).destroy(new DownloadFailure(`no data from GitHub for ${options.timeoutMs} ms`));
    });
    request.on('error', reject);
  });
}
