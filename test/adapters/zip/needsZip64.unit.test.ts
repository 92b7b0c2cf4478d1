import { describe, expect, it } from 'vitest';
import { needsZip64 } from '../../../src/adapters/zip/needsZip64';
import type { PlannedEntry } from '../../../src/adapters/zip/planArchive';

const MODIFIED = new Date('2024-01-02T03:04:05Z');

function files(count: number, size: number): PlannedEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `f-${i}.txt`,
    entry: { kind: 'file', path: `f-${i}.txt`, size, modifiedAt: MODIFIED, executable: false },
  }));
}

describe('needsZip64', () => {
  it('keeps a plain zip for a workspace of ordinary size', () => {
    expect(needsZip64(files(5_000, 10_000))).toBe(false);
    expect(needsZip64([])).toBe(false);
  });

  it('asks for Zip64 past the entries a plain zip can count', () => {
    expect(needsZip64(files(65_534, 0))).toBe(false);
    expect(needsZip64(files(65_535, 0))).toBe(true);
  });

  it('asks for Zip64 when the content, grown by deflate at worst, may pass 4 GB', () => {
    expect(needsZip64(files(1, 4_000_000_000))).toBe(false);
    expect(needsZip64(files(1, 4_294_000_000))).toBe(true);
    expect(needsZip64(files(2, 2_200_000_000))).toBe(true);
  });
});
