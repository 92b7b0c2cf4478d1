import { constants, gunzipSync, gzipSync } from 'node:zlib';

/**
 * The fastest level: the SHAs, most of the payload, do not compress anyway, so level 1 is about 4%
 * larger than the default and several times quicker to write (issue #10). Any level reads the same.
 */
const GZIP = { level: constants.Z_BEST_SPEED };

import type { ManifestEntry } from '../../domain/sync/Manifest';
import type { TreeState } from '../../domain/sync/TreeState';
import type { GitMode, SourceTreeEntry } from '../../ports/SourceRepository';

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
  // Compressed a few hundred KB of records at a time, each piece a gzip member of its own (gzip
  // readers take concatenated members as one stream): the whole text in one buffer was about 5 MB
  // at 50,000 files, held while the save built its request (issue #10: peak memory). Deflate's
  // window is 32 KB, so pieces this large compress as well as one stream does.
  const members: Buffer[] = [];
  let batch = '';
  for (const path of paths) {
    batch += recordOf(path, entries.get(path) as ManifestEntry);
    if (batch.length >= MEMBER_UNITS) {
      members.push(gzipSync(Buffer.from(batch, 'utf8'), GZIP));
      batch = '';
    }
  }
  if (batch !== '' || members.length === 0) members.push(gzipSync(Buffer.from(batch, 'utf8'), GZIP));
  return members.length === 1 ? (members[0] as Buffer) : Buffer.concat(members);
}

/** Records are compressed in pieces of about this many UTF-16 units. */
const MEMBER_UNITS = 256 * 1024;

export function decodeManifestEntries(payload: Uint8Array): Map<string, ManifestEntry> {
  const entries = new Map<string, ManifestEntry>();
  readRecords(payload, 'manifest payload', (path, entry) => {
    if (entry === null) throw new Error('manifest payload: a removal outside a delta');
    entries.set(path, entry);
  });
  return entries;
}

/**
 * What one save changed in a manifest (issue #10): the records of the entries it added or changed,
 * as in the manifest's own payload, and `-\t\t\t<path>\0` for each path it removed. A sync of a
 * few changed files then writes a few records instead of every entry again.
 */
export const MANIFEST_DELTA_FORMAT = 'tsv0-delta-gzip-1';

export function encodeManifestDelta(changed: ReadonlyMap<string, ManifestEntry>, removed: readonly string[]): Buffer {
  let text = '';
  for (const [path, entry] of changed) text += recordOf(path, entry);
  for (const path of removed) text += `-\t\t\t${checkedPath(path)}\0`;
  return gzipSync(Buffer.from(text, 'utf8'), GZIP);
}

/** Applies a delta's records to `entries`, in place. */
export function applyManifestDelta(entries: Map<string, ManifestEntry>, payload: Uint8Array): void {
  readRecords(payload, 'manifest delta', (path, entry) => {
    if (entry === null) entries.delete(path);
    else entries.set(path, entry);
  });
}

/** One entry's record: `mode\tsha\tsize\tpath\0`. */
function recordOf(path: string, { mode, sha, size }: ManifestEntry): string {
  return `${mode}\t${sha}\t${size}\t${checkedPath(path)}\0`;
}

function checkedPath(path: string): string {
  if (path.includes('\0')) throw new RangeError('a manifest path cannot contain NUL');
  return path;
}

/** Calls `onRecord` per record of a payload: an entry, or null for a removal (`-` as the mode). */
function readRecords(
  payload: Uint8Array,
  what: string,
  onRecord: (path: string, entry: ManifestEntry | null) => void,
): void {
  const text = gunzipSync(payload).toString('utf8');
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\0', start);
    if (end < 0) throw new Error(`${what}: unterminated record`);
    const record = text.slice(start, end);
    start = end + 1;
    const tab1 = record.indexOf('\t');
    const tab2 = record.indexOf('\t', tab1 + 1);
    const tab3 = record.indexOf('\t', tab2 + 1);
    if (tab1 < 0 || tab2 < 0 || tab3 < 0) throw new Error(`${what}: malformed record`);
    const mode = record.slice(0, tab1);
    const path = record.slice(tab3 + 1);
    if (mode === '-' && tab2 === tab1 + 1 && tab3 === tab2 + 1) {
      onRecord(path, null);
      continue;
    }
    const size = Number(record.slice(tab2 + 1, tab3));
    if (!MODES.has(mode) || !Number.isSafeInteger(size) || size < 0) throw new Error(`${what}: bad mode or size`);
    // Frozen: the manifest cache keeps these very objects instead of copies.
    onRecord(path, Object.freeze({ mode: mode as GitMode, sha: record.slice(tab1 + 1, tab2), size }));
  }
}

/** Splits a payload into pieces of at most `size` bytes (at least one piece, possibly empty). */
export function splitIntoChunks(payload: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += size) chunks.push(payload.subarray(offset, offset + size));
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
}

/**
 * The tree state kept beside a manifest (see TreeState), compressed: the tree SHA, then one record
 * per folder (`d\t<sha>\t<path>`), per entry the manifest does not hold as it is
 * (`o\t<mode>\t<type>\t<sha>\t<size or empty>\t<path>`) and per re-spelt manifest path (`r\t<path>`).
 */
export const TREE_STATE_FORMAT = 'tree-tsv0-gzip-1';

const TYPES: ReadonlySet<string> = new Set<SourceTreeEntry['type']>(['blob', 'tree', 'commit']);

export function encodeTreeState(state: TreeState): Buffer {
  const records: string[] = [`${state.treeSha}\0`];
  const checked = (path: string): string => {
    if (path.includes('\0')) throw new RangeError('a tree path cannot contain NUL');
    return path;
  };
  for (const [path, sha] of state.folders) records.push(`d\t${sha}\t${checked(path)}\0`);
  for (const entry of state.others) {
    records.push(`o\t${entry.mode}\t${entry.type}\t${entry.sha}\t${entry.size ?? ''}\t${checked(entry.path)}\0`);
  }
  for (const path of state.respelt) records.push(`r\t${checked(path)}\0`);
  return gzipSync(Buffer.from(records.join(''), 'utf8'), GZIP);
}

export function decodeTreeState(payload: Uint8Array): TreeState {
  const records = gunzipSync(payload).toString('utf8').split('\0');
  if (records.pop() !== '') throw new Error('tree state payload: unterminated record');
  const [treeSha, ...rest] = records;
  if (treeSha === undefined || treeSha === '') throw new Error('tree state payload: no tree SHA');
  const folders = new Map<string, string>();
  const others: SourceTreeEntry[] = [];
  const respelt: string[] = [];
  for (const record of rest) {
    const fields = record.split('\t');
    if (fields[0] === 'd' && fields.length >= 3) {
      folders.set(fields.slice(2).join('\t'), fields[1] as string);
    } else if (fields[0] === 'o' && fields.length >= 6) {
      const [, mode = '', type = '', sha = '', size = ''] = fields;
      const path = fields.slice(5).join('\t');
      const bytes = size === '' ? undefined : Number(size);
      if (!MODES.has(mode) || !TYPES.has(type) || (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0)))
        throw new Error('tree state payload: bad entry');
      const entry = { path, mode: mode as GitMode, type: type as SourceTreeEntry['type'], sha };
      others.push(bytes === undefined ? entry : { ...entry, size: bytes });
    } else if (fields[0] === 'r' && fields.length >= 2) {
      respelt.push(fields.slice(1).join('\t'));
    } else {
      throw new Error('tree state payload: malformed record');
    }
  }
  return { treeSha, folders, others, respelt };
}
