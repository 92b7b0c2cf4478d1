/** One entry of a git tree object, as `git ls-tree` reports it (mode canonical, six digits). */
export interface RawTreeEntry {
  readonly name: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFGITLINK = 0o160000;

/**
 * Parses the binary tree format, a sequence of `<octal mode> <name>\0<20-byte sha>`, keeping
 * git's stored order (which is the order `ls-tree` prints). Modes go through git's canon_mode, as
 * `ls-tree` does: old trees may hold `100664` or `040000`, which git shows as `100644`/`040000`.
 */
export function parseTreeObject(content: Buffer): RawTreeEntry[] {
  const entries: RawTreeEntry[] = [];
  let pos = 0;
  while (pos < content.length) {
    const space = content.indexOf(0x20, pos);
    const nul = space < 0 ? -1 : content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > content.length) throw new Error('malformed tree object');
    const mode = canonicalMode(parseInt(content.toString('latin1', pos, space), 8));
    const type = (mode & S_IFMT) === S_IFDIR ? 'tree' : (mode & S_IFMT) === S_IFGITLINK ? 'commit' : 'blob';
    entries.push({
      name: content.toString('utf8', space + 1, nul),
      mode: mode.toString(8).padStart(6, '0'),
      type,
      sha: content.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return entries;
}

/** git's canon_mode (cache.h): regular files keep only the executable bit. */
function canonicalMode(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return S_IFREG | (mode & 0o100 ? 0o755 : 0o644);
    case S_IFLNK:
      return S_IFLNK;
    case S_IFDIR:
      return S_IFDIR;
    default:
      return S_IFGITLINK;
  }
}
