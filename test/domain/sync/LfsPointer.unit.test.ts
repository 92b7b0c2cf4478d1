import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLfsPointer } from '../../../src/domain/sync/LfsPointer';

const OID = '4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
// The example from the Git LFS specification.
const SPEC_POINTER = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 12345\n`;

describe('isLfsPointer', () => {
  it('recognises the pointer from the specification', () => {
    expect(isLfsPointer(bytes(SPEC_POINTER))).toBe(true);
  });

  it('accepts extension lines, which sort before oid, and the pre-release version URL', () => {
    const withExtension =
      `version https://git-lfs.github.com/spec/v1\next-0-foo sha256:${'0'.repeat(64)}\n` +
      `oid sha256:${OID}\nsize 0\n`;
    expect(isLfsPointer(bytes(withExtension))).toBe(true);
    expect(isLfsPointer(bytes(SPEC_POINTER.replace('git-lfs.github.com', 'hawser.github.com')))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no trailing newline', SPEC_POINTER.slice(0, -1)],
    ['CRLF line ends', SPEC_POINTER.replace(/\n/g, '\r\n')],
    ['version not first', `oid sha256:${OID}\nversion https://git-lfs.github.com/spec/v1\nsize 12345\n`],
    ['unknown version', SPEC_POINTER.replace('spec/v1', 'spec/v2')],
    ['missing oid', 'version https://git-lfs.github.com/spec/v1\nsize 12345\n'],
    ['missing size', `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\n`],
    ['keys out of order', `version https://git-lfs.github.com/spec/v1\nsize 12345\noid sha256:${OID}\n`],
    ['short oid', SPEC_POINTER.replace(OID, OID.slice(1))],
    ['upper-case oid', SPEC_POINTER.replace(OID, OID.toUpperCase())],
    ['other hash', SPEC_POINTER.replace('sha256:', 'sha1:')],
    ['negative size', SPEC_POINTER.replace('12345', '-1')],
    ['size with leading zero', SPEC_POINTER.replace('12345', '012')],
    ['a script mentioning the spec', `# version https://git-lfs.github.com/spec/v1\nprint("hi")\n`],
    ['padded past 1024 bytes', `${SPEC_POINTER}${'x'.repeat(1024)}`],
  ])('rejects %s', (_name, text) => {
    expect(isLfsPointer(bytes(text))).toBe(false);
  });

  it('rejects non-ASCII bytes and the pointer followed by binary data', () => {
    expect(isLfsPointer(new Uint8Array([...bytes(SPEC_POINTER), 0xff, 0x0a]))).toBe(false);
  });

  it('never calls arbitrary content a pointer unless it starts with the version line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (content) => {
        expect(isLfsPointer(content)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
