import { createHash } from 'node:crypto';

// Table keys may not contain '/', '\', '#', '?' or control characters, and '|' is our own separator
// inside composite keys. Everything outside a small safe set is written as `~XXXX` (UTF-16 code
// unit in hex), which keeps keys readable, reversible and free of URL/OData quoting surprises.
const SAFE = /^[A-Za-z0-9._-]$/;
// Keys are limited to 1 KiB; longer values are replaced by a digest (still unique in practice).
const MAX_ENCODED_LENGTH = 400;

/** Encodes an arbitrary string as one part of a PartitionKey or RowKey. */
export function encodeKeyPart(value: string): string {
  let encoded = '';
  for (const char of value) {
    if (SAFE.test(char)) {
      encoded += char;
    } else {
      for (let i = 0; i < char.length; i += 1) {
        encoded += `~${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
      }
    }
  }
  if (encoded.length <= MAX_ENCODED_LENGTH) return encoded;
  return `~h${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

// The largest millisecond value a JavaScript Date can hold; subtracting from it sorts newest first.
const MAX_DATE_MS = 8_640_000_000_000_000;

/** A fixed-width key part that sorts later dates first. */
export function invertedTimeKey(at: Date): string {
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot key a date before 1970 or invalid: ${String(at)}`);
  return (MAX_DATE_MS - ms).toString().padStart(16, '0');
}

/** The smallest string greater than every string starting with `prefix` (for RowKey range scans). */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
