import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errors } from './serviceErrors';

/**
 * Checks a `SharedKey <account>:<signature>` Authorization header as Microsoft's "Authorize with
 * Shared Key" describes for the File service: HMAC-SHA256 with the account key over the verb, the
 * standard headers (Content-Length empty when 0), the canonicalized `x-ms-*` headers and the
 * canonicalized resource (`/<account><encoded URI path>` then each query parameter, lower-cased and
 * sorted, as `\nname:decoded value`). Content-Encoding and Content-Language are signed empty by the
 * SDK and here (the SDK writes them in the other order; with both empty it is the same string).
 */
export function verifySharedKey(request: IncomingMessage, accountName: string, accountKey: string): void {
  const authorization = request.headers.authorization;
  const match = /^SharedKey ([^:]+):(.+)$/.exec(authorization ?? '');
  if (!match) throw errors.authenticationFailed('No SharedKey Authorization header.');
  if (match[1] !== accountName) throw errors.authenticationFailed(`Unknown account '${match[1]}'.`);
  const header = (name: string): string => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const contentLength = header('content-length');
  const standard = [
    request.method ?? '',
    header('content-encoding'),
    header('content-language'),
    contentLength === '0' ? '' : contentLength,
    header('content-md5'),
    header('content-type'),
    header('date'),
    header('if-modified-since'),
    header('if-match'),
    header('if-none-match'),
    header('if-unmodified-since'),
    header('range'),
  ];
  const canonicalHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${header(name).trimStart()}\n`)
    .join('');
  const url = new URL(request.url ?? '/', 'http://peer');
  let resource = `/${accountName}${url.pathname}`;
  const query = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    query.set(key, [...(query.get(key) ?? []), value]);
  }
  for (const key of [...query.keys()].sort()) resource += `\n${key}:${query.get(key)!.sort().join(',')}`;
  const stringToSign = `${standard.join('\n')}\n${canonicalHeaders}${resource}`;
  const expected = createHmac('sha256', Buffer.from(accountKey, 'base64')).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(match[2] ?? '', 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw errors.authenticationFailed(
      `The MAC signature found in the HTTP request is not the same as any computed signature. Server used following string to sign: '${stringToSign}'.`,
    );
  }
}
