import { type GitMode, SourceError, type SourceTreeEntry } from '../../ports/SourceRepository';

/**
 * One answer of `GET /repos/{o}/{r}/git/trees/{sha}`, checked and normalised. A truncated answer
 * carries no entries: a partial tree is never used (the readers list its sub-trees instead).
 */
export type TreeListing = CompleteListing | TruncatedListing;

export interface CompleteListing {
  /** SHA of the tree listed (GitHub answers with it even when asked by commit SHA). */
  readonly sha?: string;
  readonly entries: readonly SourceTreeEntry[];
  readonly truncated: false;
}

interface TruncatedListing {
  readonly sha?: string;
  readonly truncated: true;
}

const KNOWN_MODES = new Set<string>(['100644', '100755', '120000', '160000', '040000']);

/** `"truncated":true` as the last member of the answer, where GitHub puts it. */
const TRUNCATED_AT_END = /[,{]\s*"truncated"\s*:\s*true\s*\}\s*$/;
/** The tree's SHA as the first member of the answer, where GitHub puts it. */
const SHA_AT_START = /^\s*\{\s*"sha"\s*:\s*"([0-9a-f]{40}|[0-9a-f]{64})"/;
/** Bytes of each end of a body looked at before parsing it: the members above and some whitespace. */
const END_BYTES = 128;

/**
 * Reads a tree answer's JSON body. A truncated answer is recognised from its two ends without
 * parsing the entries nobody reads: at 50,000 files GitHub's truncated listing is 7 MB of JSON,
 * and parsing it was the largest transient allocation of a full sync (issue #10: peak memory).
 * A body whose ends do not look as GitHub writes them is parsed whole, as any other.
 */
export function readTreeListing(body: Uint8Array, what: string, base = ''): TreeListing {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (TRUNCATED_AT_END.test(bytes.toString('latin1', Math.max(0, bytes.length - END_BYTES)))) {
    const sha = SHA_AT_START.exec(bytes.toString('latin1', 0, END_BYTES))?.[1];
    if (sha !== undefined) return { sha, truncated: true };
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SourceError('Unavailable', `${what}: GitHub sent a body that is not JSON`);
  }
  return parseTreeListing(data, what, base);
}

/**
 * Checks the shape of a tree answer; anything odd is an outage, never a silently short tree.
 * Paths come out under `base` (the folder listed), made once here rather than copied by the walk.
 */
function parseTreeListing(data: unknown, what: string, base: string): TreeListing {
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { tree?: unknown }).tree)) {
    throw new SourceError('Unavailable', `${what}: GitHub sent a tree answer without a tree`);
  }
  const { sha, tree, truncated } = data as { sha?: unknown; tree: unknown[]; truncated?: unknown };
  const known = typeof sha === 'string' ? { sha } : {};
  if (truncated === true) return { ...known, truncated: true };
  return { ...known, entries: tree.map((raw) => parseEntry(raw, what, base)), truncated: false };
}

function parseEntry(raw: unknown, what: string, base: string): SourceTreeEntry {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { path, type, sha, size } = entry;
  if (
    typeof path !== 'string' ||
    path === '' ||
    typeof sha !== 'string' ||
    (type !== 'blob' && type !== 'tree' && type !== 'commit')
  ) {
    throw new SourceError('Unavailable', `${what}: GitHub sent a malformed tree entry`);
  }
  const mode = normaliseMode(String(entry.mode), type);
  const full = base === '' ? path : `${base}/${path}`;
  return type === 'blob' && typeof size === 'number'
    ? { path: full, mode, type, sha, size }
    : { path: full, mode, type, sha };
}

/**
 * GitHub reports modes as git stores them. Old repositories can hold non-canonical file modes
 * (100664, 100775); git itself treats those as plain or executable files, and so do we.
 */
function normaliseMode(mode: string, type: 'blob' | 'tree' | 'commit'): GitMode {
  if (KNOWN_MODES.has(mode)) return mode as GitMode;
  if (type === 'tree') return '040000';
  if (type === 'commit') return '160000';
  const bits = parseInt(mode, 8);
  if (Number.isFinite(bits) && (bits & 0o170000) === 0o120000) return '120000';
  return Number.isFinite(bits) && (bits & 0o111) !== 0 ? '100755' : '100644';
}

/** Normalises a sub-path option: '' for the whole repository, else 'a/b' without outer slashes. */
export function normaliseSubPath(subPath: string | undefined): string {
  const trimmed = (subPath ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new SourceError('NotFound', `sub-path '${subPath}' is not a valid folder path`);
  }
  return trimmed;
}

/**
 * Keeps the entries below `prefix`, with paths relative to it. The folder itself must be in the
 * listing as a tree: a missing or non-folder sub-path is NotFound, never an empty tree (which a
 * sync would read as "delete everything").
 */
export function rerootEntries(listing: CompleteListing, prefix: string, where: string): RootedEntries {
  const { entries } = listing;
  if (prefix === '') return { ...(listing.sha === undefined ? {} : { treeSha: listing.sha }), entries };
  const folder = entries.find((entry) => entry.path === prefix);
  if (!folder) throw new SourceError('NotFound', `sub-path '${prefix}' does not exist in ${where}`);
  if (folder.type !== 'tree') throw new SourceError('NotFound', `sub-path '${prefix}' is not a folder in ${where}`);
  const start = `${prefix}/`;
  return {
    treeSha: folder.sha,
    entries: entries
      .filter((entry) => entry.path.startsWith(start))
      .map((entry) => ({ ...entry, path: entry.path.slice(start.length) })),
  };
}

/** A tree's entries with the SHA of the tree they are relative to (when known). */
export interface RootedEntries {
  readonly treeSha?: string;
  readonly entries: readonly SourceTreeEntry[];
}
