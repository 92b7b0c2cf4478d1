/**
 * Recognises Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md):
 * the repository holds a small text stub in place of the real content, which lives in LFS storage.
 * The sync writes such stubs as they are and reports them, so a person knows the script is a stub.
 *
 *   version https://git-lfs.github.com/spec/v1
 *   oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
 *   size 12345
 */

/** git-lfs itself never reads more than this when looking for a pointer. */
export const MAX_POINTER_BYTES = 1024;

// The current spec URL, then the pre-release ones git-lfs still accepts as v1 aliases.
const VERSION_LINES = [
  'version https://git-lfs.github.com/spec/v1',
  'version https://hawser.github.com/spec/v1',
  'version http://git-media.io/v/2',
];
const LINE = /^([a-z0-9.-]+) ([^\r\n]*)$/;
const OID = /^sha256:[0-9a-f]{64}$/;
const SIZE = /^(0|[1-9][0-9]*)$/;

export function isLfsPointer(content: Uint8Array): boolean {
  if (content.length === 0 || content.length > MAX_POINTER_BYTES) return false;
  // Pointers are ASCII; any other byte means ordinary content, so no UTF-8 decoding is needed.
  let text = '';
  for (const byte of content) {
    if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a)) return false;
    text += String.fromCharCode(byte);
  }
  if (!text.endsWith('\n')) return false;
  const lines = text.slice(0, -1).split('\n');
  if (!VERSION_LINES.includes(lines[0] ?? '')) return false;

  // After the version, keys are unique and sorted (the spec requires it; ext-* keys sort before oid).
  let previousKey = '';
  let hasOid = false;
  let hasSize = false;
  for (const line of lines.slice(1)) {
    const match = LINE.exec(line);
    if (!match) return false;
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    if (key <= previousKey) return false;
    previousKey = key;
    if (key === 'oid') {
      if (!OID.test(value)) return false;
      hasOid = true;
    } else if (key === 'size') {
      if (!SIZE.test(value)) return false;
      hasSize = true;
    }
  }
  return hasOid && hasSize;
}
