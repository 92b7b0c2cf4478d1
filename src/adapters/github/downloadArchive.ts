import type { IncomingMessage } from 'node:http';
import { sendHttpRequest } from './sendHttpRequest';

/** Redirects followed after the first (codeload answers at once; this only bounds a loop). */
const MAX_REDIRECTS = 5;

export interface DownloadOptions {
  readonly userAgent: string;
  /** Longest silence of the network, from the request to the last byte; 0 for none. */
  readonly timeoutMs: number;
}

/**
 * A failed download, shaped as the adapter's error mapping (httpFailureOf) reads an HTTP failure:
 * `status` and `response` when the server answered.
 */
class DownloadFailure extends Error {
  readonly status: number;
  readonly response = { headers: {} };
  constructor(status: number) {
    super(`the archive's download was answered ${status}`);
    this.name = 'DownloadFailure';
    this.status = status;
  }
}

/**
 * The response of a plain GET of `url` (an archive on codeload), redirects followed, as a Node
 * stream. Through node:http rather than fetch: downloading a 90 MB archive through fetch's web
 * streams cost 50–85 % more CPU (issue #10). A silent network fails the request, or the body once
 * answered, with NetworkSilence (see sendHttpRequest).
 */
export async function downloadArchive(url: string, options: DownloadOptions): Promise<IncomingMessage> {
  let at = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const headers = { 'user-agent': options.userAgent };
    const response = await sendHttpRequest(at, { method: 'GET', headers, timeoutMs: options.timeoutMs });
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status === 200) return response;
    response.resume();
    if (status < 300 || status >= 400 || location === undefined || redirects >= MAX_REDIRECTS)
      throw new DownloadFailure(status);
    at = new URL(location, at);
  }
}
