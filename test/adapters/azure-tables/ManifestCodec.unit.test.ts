import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyManifestDelta,
  decodeManifestEntries,
  decodeTreeState,
  encodeManifestDelta,
  encodeManifestEntries,
  encodeTreeState,
  splitIntoChunks,
} from '../../../src/adapters/azure-tables/ManifestCodec';
import { manifestChanges } from '../../../src/adapters/azure-tables/manifestChanges';
import type { ManifestEntry } from '../../../src/domain/sync/Manifest';
import type { TreeState } from '../../../src/domain/sync/TreeState';

const entry = fc.record({
  sha: fc.stringMatching(/^[0-9a-f]{40}$/),
  size: fc.nat({ max: 100 * 1024 * 1024 }),
  mode: fc.constantFrom('100644' as const, '100755' as const),
});
// Any path git can hold: no NUL, anything else (tabs, newlines, unicode) included.
const path = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).filter((p) => !p.includes('\0'));

describe('manifest codec', () => {
  it('decodes what it encodes, for any paths and entries', () => {
    fc.assert(
      fc.property(fc.dictionary(path, entry, { maxKeys: 200 }), (record) => {
        const entries = new Map<string, ManifestEntry>(Object.entries(record));
        expect(decodeManifestEntries(encodeManifestEntries(entries))).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it('writes each record as its UTF-8 text, in path order, for any UTF-16 path (lone surrogates included)', () => {
    const anyCodeUnit = fc.integer({ min: 1, max: 0xffff }).map((code) => String.fromCharCode(code));
    const anyPath = fc.string({ unit: anyCodeUnit, minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(fc.dictionary(anyPath, entry, { maxKeys: 50 }), (record) => {
        const entries = new Map<string, ManifestEntry>(Object.entries(record));
        const text = [...entries.keys()]
          .sort()
          .map((key) => {
            const { mode, sha, size } = entries.get(key)!;
            return `${mode}\t${sha}\t${size}\t${key}\0`;
          })
          .join('');
        expect(gunzipSync(encodeManifestEntries(entries))).toEqual(Buffer.from(text, 'utf8'));
      }),
      { numRuns: 300 },
    );
  });

  it('a delta of what changed between two manifests turns the first into the second, for any two', () => {
    const manifest = fc.dictionary(path, entry, { maxKeys: 60 }).map((record) => new Map(Object.entries(record)));
    fc.assert(
      fc.property(manifest, manifest, fc.integer({ min: 0, max: 60 }), (before, other, kept) => {
        // Some paths in common (some of them changed), some only on one side.
        const after = new Map([...[...before].slice(0, kept), ...other]);
        const { changed, removed } = manifestChanges(before, after);
        const applied = new Map(before);
        applyManifestDelta(applied, encodeManifestDelta(changed, removed));
        expect(applied).toEqual(after);
        // Only what changed travels.
        for (const [key, value] of changed) expect(before.get(key)).not.toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a removal in a full manifest, and a removal record with fields', () => {
    const removal = encodeManifestDelta(new Map(), ['gone.ps1']);
    expect(() => decodeManifestEntries(removal)).toThrow(/removal outside a delta/);
    expect(() => applyManifestDelta(new Map(), gzipSync(Buffer.from(`-\t${'a'.repeat(40)}\t\tx\0`)))).toThrow(
      /bad mode or size/,
    );
  });

  it('chunks reassemble to the payload for any chunk size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 700 }), (bytes, size) => {
        const chunks = splitIntoChunks(Buffer.from(bytes), size);
        expect(chunks.every((chunk) => chunk.length <= size)).toBe(true);
        expect(Buffer.concat(chunks)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('reads payloads compressed at any level, such as those of earlier versions', () => {
    const records = `100644\t${'a'.repeat(40)}\t3\ta.py\x00100755\t${'b'.repeat(40)}\t5\tbin/run\x00`;
    const expected = new Map<string, ManifestEntry>([
      ['a.py', { sha: 'a'.repeat(40), size: 3, mode: '100644' }],
      ['bin/run', { sha: 'b'.repeat(40), size: 5, mode: '100755' }],
    ]);
    for (const level of [1, 6, 9]) {
      expect(decodeManifestEntries(gzipSync(Buffer.from(records, 'utf8'), { level }))).toEqual(expected);
    }
    expect(gunzipSync(encodeManifestEntries(expected)).toString('utf8')).toBe(records);
  });

  it('a manifest compressed in several pieces reads as one text, about as small as one stream', () => {
    const entries = new Map<string, ManifestEntry>();
    for (let i = 0; i < 12_000; i++) {
      const sha = createHash('sha1').update(String(i)).digest('hex');
      entries.set(`team-${i % 10}/area-${i % 25}/module-${i % 8}/script-${i}.ps1`, { sha, size: i, mode: '100644' });
    }
    const payload = encodeManifestEntries(entries);
    const text = gunzipSync(payload);
    expect(text.length).toBeGreaterThan(3 * 256 * 1024); // several pieces
    expect(decodeManifestEntries(payload)).toEqual(entries);
    const oneStream = gzipSync(text, { level: 1 });
    expect(payload.length).toBeLessThan(oneStream.length * 1.01);
  });

  it('refuses a corrupted payload instead of returning wrong entries', () => {
    const payload = encodeManifestEntries(new Map([['a.py', { sha: 'a'.repeat(40), size: 1, mode: '100644' }]]));
    expect(() => decodeManifestEntries(payload.subarray(0, payload.length - 4))).toThrow();
  });

  it('refuses a record short of a field instead of reading into the next one', () => {
    const records = `100644\t${'a'.repeat(40)}\t3\x00100644\t${'b'.repeat(40)}\t5\tbin/run\x00`;
    expect(() => decodeManifestEntries(gzipSync(Buffer.from(records, 'utf8')))).toThrow(/malformed record/);
  });

  it('decodes the tree state it encodes, for any paths, entries and sizes', () => {
    const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
    const other = fc.record(
      {
        path,
        mode: fc.constantFrom('100644' as const, '100755' as const, '120000' as const, '160000' as const),
        type: fc.constantFrom('blob' as const, 'commit' as const),
        sha,
        size: fc.nat({ max: 200 * 1024 * 1024 }),
      },
      { requiredKeys: ['path', 'mode', 'type', 'sha'] },
    );
    fc.assert(
      fc.property(
        sha,
        fc.dictionary(path, sha, { maxKeys: 50 }),
        fc.array(other),
        fc.array(path),
        (treeSha, folders, others, respelt) => {
          const state: TreeState = { treeSha, folders: new Map(Object.entries(folders)), others, respelt };
          expect(decodeTreeState(encodeTreeState(state))).toEqual(state);
        },
      ),
      { numRuns: 200 },
    );
  });
});
