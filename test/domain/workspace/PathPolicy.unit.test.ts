import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInside,
  joinScopePath,
  normalizeRelativePath,
  type PathRejection,
} from '../../../src/domain/workspace/PathPolicy';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Pieces that, glued together, make hostile paths far more often than uniform random strings. */
const hostilePiece = fc.constantFrom(
  '/',
  '//',
  '.',
  '..',
  './',
  '../',
  '\\',
  '..\\',
  '%2e',
  '%2e%2e',
  '%2f',
  'a',
  'B',
  'é',
  'e\u0301',
  ' ',
  '.',
  'CON',
  'nul.txt',
  'C:',
  ':',
  '\u0000',
  '\u001f',
  '\u007f',
  '\ud800',
  '\u2025',
  '\uff0e\uff0e',
  'x'.repeat(130),
);
const hostilePath = fc.array(hostilePiece, { maxLength: 12 }).map((parts) => parts.join(''));
const anyPath = fc.oneof(
  hostilePath,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom('a', 'b', '.', '..', ''), { maxLength: 6 }).map((s) => s.join('/')),
);
const scopeFolderArb = fc.oneof(
  fc.constant('global'),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,10}$/).map((id) => `orgs/${id}`),
);

function accepted(input: string, options?: Parameters<typeof normalizeRelativePath>[1]): string {
  const verdict = normalizeRelativePath(input, options);
  if (!verdict.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted: ${verdict.message}`);
  return verdict.path;
}

function rejection(input: string, options?: Parameters<typeof normalizeRelativePath>[1]): PathRejection {
  const verdict = normalizeRelativePath(input, options);
  if (verdict.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${verdict.path}`);
  return verdict.reason;
}

describe('normalizeRelativePath: normalisation', () => {
  it.each([
    ['a/b.py', 'a/b.py'],
    ['./a/b.py', 'a/b.py'],
    ['././a', 'a'],
    ['a//b///c', 'a/b/c'],
    ['a/b/', 'a/b'],
    ['a/./b/.', 'a/b'],
    ['e\u0301.py', '\u00e9.py'], // NFD -> NFC
    ['%2e%2e/x', '%2e%2e/x'], // no URL decoding: a literal name, not a traversal
    ['.hidden/.env', '.hidden/.env'],
    ['con-fig/COM10.txt', 'con-fig/COM10.txt'], // only the exact device names are reserved
  ])('%j -> %j', (input, expected) => {
    expect(accepted(input)).toBe(expected);
  });
});

describe('normalizeRelativePath: rejections', () => {
  const cases: Array<[string, PathRejection, string?]> = [
    ['', 'Empty'],
    ['./', 'Empty'],
    ['.//./', 'Empty'],
    ['/etc/passwd', 'Absolute'],
    ['\\\\server\\share', 'Absolute'],
    ['C:/Windows', 'Absolute'],
    ['c:x', 'Absolute'],
    ['..', 'Traversal'],
    ['a/../../b', 'Traversal', "'..'"],
    ['./..', 'Traversal'],
    ['a/b\u0000c', 'ControlCharacter', '"b\\u0000c"'],
    ['a/\tb', 'ControlCharacter', 'U+0009'],
    ['x\u007f', 'ControlCharacter', 'U+007F'],
    ['a/b<c', 'ReservedCharacter', '"b<c"'],
    ['a>b', 'ReservedCharacter'],
    ['dir/a:b', 'ReservedCharacter', '"a:b"'],
    ['say"hi"', 'ReservedCharacter'],
    ['a|b', 'ReservedCharacter'],
    ['what?', 'ReservedCharacter'],
    ['*.py', 'ReservedCharacter'],
    ['..\\..\\x', 'ReservedCharacter'],
    ['bad\ud800', 'ReservedCharacter', 'Unicode'],
    ['CON', 'ReservedName', 'CON'],
    ['lib/con.py', 'ReservedName', '"con.py"'],
    ['Aux.tar.gz', 'ReservedName'],
    ['nul', 'ReservedName'],
    ['PRN', 'ReservedName'],
    ['com1', 'ReservedName'],
    ['LPT9.log', 'ReservedName'],
    ['COM\u00b9', 'ReservedName'],
    ['CON .txt', 'ReservedName'],
    ['a/b.', 'TrailingDotOrSpace', '"b."'],
    ['dir /x', 'TrailingDotOrSpace', '"dir "'],
    ['...', 'TrailingDotOrSpace'],
    [`a/${'x'.repeat(256)}`, 'SegmentTooLong', '256 bytes'],
    [`${'é'.repeat(128)}`, 'SegmentTooLong', '256 bytes'], // 128 characters, 256 UTF-8 bytes
  ];
  it.each(cases)('%j is refused as %s', (input, reason, mentions) => {
    const verdict = normalizeRelativePath(input);
    expect(verdict).toMatchObject({ ok: false, reason });
    if (!verdict.ok && mentions) expect(verdict.message).toContain(mentions);
  });

  it('accepts a segment of exactly 255 UTF-8 bytes', () => {
    expect(accepted('x'.repeat(255))).toHaveLength(255);
    expect(accepted(`${'é'.repeat(127)}x`)).toHaveLength(128);
  });

  it('counts the prefix against the whole-path limit', () => {
    const path = `${'a'.repeat(100)}/${'b'.repeat(100)}`; // 201 characters
    expect(accepted(path, { maxLength: 210, prefixLength: 9 })).toBe(path);
    expect(rejection(path, { maxLength: 210, prefixLength: 10 })).toBe('PathTooLong');
    expect(rejection(`${'a/'.repeat(600)}z`)).toBe('PathTooLong'); // default limit 1024
    const verdict = normalizeRelativePath(path, { maxLength: 200, prefixLength: 8 });
    expect(!verdict.ok && verdict.message).toMatch(/209 characters.*8-character folder prefix.*limit is 200/);
  });

  it('measures the length after normalisation', () => {
    expect(accepted(`./././${'a'.repeat(10)}`, { maxLength: 10 })).toBe('a'.repeat(10));
  });
});

describe('normalizeRelativePath: properties', () => {
  it('an accepted path is clean and normalising it again changes nothing', () => {
    fc.assert(
      fc.property(anyPath, (input) => {
        const verdict = normalizeRelativePath(input);
        if (!verdict.ok) {
          expect(verdict.message.length).toBeGreaterThan(0);
          return;
        }
        // One expectation per run keeps 3000 runs fast; the list names every broken rule.
        const path = verdict.path;
        const segments = path.split('/');
        const broken = [
          segments.includes('..') && "'..' segment",
          segments.includes('.') && "'.' segment",
          segments.includes('') && 'empty segment',
          path.startsWith('/') && 'leading /',
          CONTROL.test(path) && 'control character',
          /[<>:"|?*\\]/.test(path) && 'reserved character',
          path !== path.normalize('NFC') && 'not NFC',
          JSON.stringify(normalizeRelativePath(path)) !== JSON.stringify({ ok: true, path }) && 'not idempotent',
        ].filter(Boolean);
        expect(broken).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('an accepted path joined to a scope folder always stays inside it', () => {
    fc.assert(
      fc.property(scopeFolderArb, anyPath, (folder, input) => {
        const verdict = normalizeRelativePath(input, { prefixLength: folder.length + 1 });
        if (!verdict.ok) return;
        const storePath = joinScopePath(folder, verdict.path);
        expect(isInside(folder, storePath)).toBe(true);
        expect(storePath.startsWith(`${folder}/`)).toBe(true);
        expect(storePath.length).toBeLessThanOrEqual(1024);
      }),
      { numRuns: 3000 },
    );
  });

  it('never accepts a path whose segments, read by a Windows or POSIX resolver, climb out', () => {
    // Independent escape check: resolve '.', '..' with both separators and watch the depth.
    const escapes = (path: string): boolean => {
      let depth = 0;
      for (const segment of path.split(/[/\\]/)) {
        if (segment === '..') depth--;
        else if (segment !== '' && segment !== '.') depth++;
        if (depth < 0) return true;
      }
      return /^[/\\]|^[A-Za-z]:/.test(path);
    };
    fc.assert(
      fc.property(anyPath, (input) => {
        const verdict = normalizeRelativePath(input);
        if (verdict.ok) expect(escapes(verdict.path)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('joinScopePath and isInside', () => {
  it('joins with exactly one slash', () => {
    expect(joinScopePath('orgs/42', 'a/b.py')).toBe('orgs/42/a/b.py');
    expect(joinScopePath('orgs/42/', 'a')).toBe('orgs/42/a');
    expect(joinScopePath('global', '')).toBe('global');
    expect(joinScopePath('', 'a')).toBe('a');
  });

  it.each([
    ['orgs/42', 'orgs/42/x', true],
    ['orgs/42', 'orgs/42/a/b/c', true],
    ['orgs/4', 'orgs/42/x', false], // string prefix is not containment
    ['orgs/42', 'orgs/42', false], // a folder is not inside itself
    ['orgs/42', 'orgs/43/x', false],
    ['orgs/42', 'orgs/42/../43/x', false],
    ['orgs/42', 'orgs/42/a\\..\\..\\43', false],
    ['orgs/42', '/orgs/42/x', false],
    ['orgs/42', 'C:/orgs/42/x', false],
    ['global', 'global/x', true],
    ['global', 'globalx/y', false],
    ['', 'anything', true],
  ])('isInside(%j, %j) is %s', (folder, path, expected) => {
    expect(isInside(folder, path)).toBe(expected);
  });
});
