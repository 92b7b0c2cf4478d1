import { InvalidContinuationTokenError } from '../../ports/SyncRunRepo';

/**
 * Our own page token: the listing key suffix (newest-first time + id) of the last run returned.
 * Independent of the service's continuation headers, it stays valid while runs are added, and it
 * works the same for every filter (the next page is "keys after this one").
 */
const SUFFIX = /^\d{16}\|[A-Za-z0-9._~-]{1,400}$/;

export function encodeRunToken(afterSuffix: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: afterSuffix }), 'utf8').toString('base64url');
}

export function decodeRunToken(token: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const after = (parsed as { v?: unknown; after?: unknown } | undefined)?.after;
  if ((parsed as { v?: unknown } | undefined)?.v !== 1 || typeof after !== 'string' || !SUFFIX.test(after)) {
    throw new InvalidContinuationTokenError();
  }
  return after;
}
