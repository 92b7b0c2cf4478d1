import { gunzipSync, gzipSync } from 'node:zlib';
import type { ManifestEntry } from '../../domain/sync/Manifest';
import type { GitMode } from '../../ports/SourceRepository';

/**
 * Manifest entries as one compressed byte string: records sorted by path, each
 * `<mode>\t<sha>\t<size>\t<path>\0`. Git paths never contain NUL, and the path comes last so tabs
 * inside it need no escaping. Sorting and gzip shrink a 10,000-entry manifest to a few hundred KB
 * (the SHAs are the incompressible part).
 */
export const MANIFEST_FORMAT = 'tsv0-gzip-1';

const MODES: ReadonlySet<string> = new Set<GitMode>(['100644', '100755', '120000', '160000', '040000']);

export function encodeManifestEntries(entries: ReadonlyMap<string, ManifestEntry>): Buffer {
  const paths = [...entries.keys()].sort();
  const records: string[] = [];
  for (const path of paths) {
    if (path.includes('\0')) throw new RangeError('a manifest path cannot contain NUL');
    const entry = entries.get(path) as ManifestEntry;
    records.push(`${entry.mode}\t${entry.sha}\t${entry.size}\t${path}\0`);
  }
  return gzipSync(Buffer.from(records.join(''), 'utf8'));
}

export function decodeManifestEntries(payload: Uint8Array): Map<string, ManifestEntry> {
  const text = gunzipSync(payload).toString('utf8');
  const entries = new Map<string, ManifestEntry>();
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\0', start);
    if (end < 0) throw new Error('manifest payload: unterminated record');
    const record = text.slice(start, end);
    start = end + 1;
    const tab1 = record.indexOf('\t');
    const tab2 = record.indexOf('\t', tab1 + 1);
    const tab3 = record.indexOf('\t', tab2 + 1);
    if (tab1 < 0 || tab2 < 0 || tab3 < 0) throw new Error('manifest payload: malformed record');
    const mode = record.slice(0, tab1);
    const size = Number(record.slice(tab2 + 1, tab3));
    if (!MODES.has(mode) || !Number.isSafeInteger(size) || size < 0)
      throw new Error('manifest payload: bad mode or size');
    entries.set(record.slice(tab3 + 1), { mode: mode as GitMode, sha: record.slice(tab1 + 1, tab2), size });
  }
  return entries;
}

/** Splits a payload into pieces of at most `size` bytes (at least one piece, possibly empty). */
export function splitIntoChunks(payload: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += size) chunks.push(payload.subarray(offset, offset + size));
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
}
