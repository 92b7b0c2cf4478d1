/**
 * Entity tags of workspace files: the hex SHA-256 of the bytes, unquoted (the HTTP layer adds the
 * quotes). A tag that depends only on content survives restarts, store moves and re-syncs of the
 * same bytes, so a browser's If-Match stays valid as long as nobody changed the file.
 */
export async function contentTag(bytes: Uint8Array): Promise<string> {
  // Only the view's own bytes: a Buffer is often a slice of a shared pool, and Buffer#slice does not
  // copy, so `.slice().buffer` would hash the whole pool. digest() rejects SharedArrayBuffer views.
  const view = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', view);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether a tag a client sent names `current`. Strong comparison (RFC 9110 §8.8.3.2): surrounding
 * quotes are tolerated, a weak `W/` tag never matches, hex case is ignored.
 */
export function tagMatches(sent: string, current: string): boolean {
  const trimmed = sent.trim();
  if (trimmed.startsWith('W/')) return false;
  const bare = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  return bare.toLowerCase() === current.toLowerCase();
}
