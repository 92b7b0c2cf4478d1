/**
 * Which relative paths may be written into a scope folder, and in which form.
 *
 * The policy is the intersection of what Linux, Windows and Azure Files accept, so a path that
 * passes can be written by every FileStore adapter and never names anything outside the folder it
 * is joined to. Paths are rejected, never repaired: a '..' is not resolved, a bad character is not
 * replaced, because a silently renamed script is worse than a refused one.
 */

export type PathRejection =
  | 'Empty'
  | 'Absolute'
  | 'Traversal'
  | 'ControlCharacter'
  | 'ReservedCharacter'
  | 'ReservedName'
  | 'TrailingDotOrSpace'
  | 'SegmentTooLong'
  | 'PathTooLong';

export type PathVerdict = { ok: true; path: string } | { ok: false; reason: PathRejection; message: string };

export interface PathPolicyOptions {
  /** Longest whole path, in UTF-16 code units, including any prefix the caller adds. Default 1024. */
  readonly maxLength?: number;
  /** Length of the prefix the caller will put in front (e.g. 'orgs/42/'), counted against maxLength. */
  readonly prefixLength?: number;
}

export const DEFAULT_MAX_PATH_LENGTH = 1024;
/** Linux NAME_MAX and the Azure Files component limit: 255 bytes of UTF-8. */
const MAX_SEGMENT_BYTES = 255;

// C0 controls and DEL: invisible in listings, and NUL truncates paths in C APIs.
const CONTROL = /[\u0000-\u001f\u007f]/;
// Reserved by Windows and Azure Files; '\' is also a path separator there, so it could smuggle '..'.
const RESERVED = /[<>:"|?*\\]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DRIVE_LETTER = /^[A-Za-z]:/;
// Windows device names, also with an extension ('con.txt') and with trailing spaces before the dot.
const RESERVED_NAME = /^(CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])$/i;

/** Normalises a relative path (NFC, no './', no '//', no trailing '/') or says why it is refused. */
export function normalizeRelativePath(input: string, options: PathPolicyOptions = {}): PathVerdict {
  const maxLength = options.maxLength ?? DEFAULT_MAX_PATH_LENGTH;
  const prefixLength = options.prefixLength ?? 0;
  const text = input.normalize('NFC');

  if (CONTROL.test(text)) {
    const segment = text.split('/').find((s) => CONTROL.test(s)) ?? text;
    const code = segment.match(CONTROL)?.[0].charCodeAt(0) ?? 0;
    return reject(
      'ControlCharacter',
      `segment ${quote(segment)} contains the control character ${codePoint(code)}; remove it from the name`,
    );
  }
  if (text.startsWith('/') || text.startsWith('\\')) {
    return reject('Absolute', `path ${quote(text)} is absolute; use a path relative to the repository root`);
  }
  if (DRIVE_LETTER.test(text)) {
    return reject('Absolute', `path ${quote(text)} starts with a drive letter; use a relative path without 'X:'`);
  }

  const parts = text.split('/');
  const segments = parts.filter((s) => s !== '' && s !== '.');
  if (segments.length === 0)
    return reject('Empty', `path ${quote(input)} names no file (it is empty after normalisation)`);

  for (const segment of segments) {
    const refusal = checkSegment(segment);
    if (refusal) return refusal;
  }

  // A path already in normal form is the caller's own string, not a copy: a tree's paths are then
  // held once, not once more per plan (issue #10: peak memory).
  const path = segments.length === parts.length ? text : segments.join('/');
  if (path.length + prefixLength > maxLength) {
    const total = path.length + prefixLength;
    const prefixNote = prefixLength > 0 ? ` including the ${prefixLength}-character folder prefix` : '';
    return reject(
      'PathTooLong',
      `path ${quote(path)} is ${total} characters long${prefixNote}; the limit is ${maxLength}, shorten it`,
    );
  }
  return { ok: true, path };
}

function checkSegment(segment: string): PathVerdict | null {
  if (segment === '..') {
    return reject('Traversal', `segment '..' would leave the folder; paths must not go up a level`);
  }
  if (UNPAIRED_SURROGATE.test(segment)) {
    return reject(
      'ReservedCharacter',
      `segment ${quote(segment)} is not valid Unicode (unpaired surrogate); rename it`,
    );
  }
  const reserved = segment.match(RESERVED);
  if (reserved) {
    return reject(
      'ReservedCharacter',
      `segment ${quote(segment)} contains ${quote(reserved[0])}, which Windows and Azure Files do not allow ` +
        `(< > : " | ? * \\); rename it`,
    );
  }
  if (segment.endsWith('.') || segment.endsWith(' ')) {
    return reject(
      'TrailingDotOrSpace',
      `segment ${quote(segment)} ends with a ${segment.endsWith('.') ? 'dot' : 'space'}, which Windows strips; rename it`,
    );
  }
  const stem = (segment.split('.')[0] ?? '').trimEnd();
  if (RESERVED_NAME.test(stem)) {
    return reject(
      'ReservedName',
      `segment ${quote(segment)} uses the Windows device name ${stem.toUpperCase()}; rename it`,
    );
  }
  const bytes = utf8Length(segment);
  if (bytes > MAX_SEGMENT_BYTES) {
    return reject(
      'SegmentTooLong',
      `segment ${quote(segment)} is ${bytes} bytes in UTF-8; the limit is ${MAX_SEGMENT_BYTES}, shorten it`,
    );
  }
  return null;
}

/** Store path of a scope-relative path: joinScopePath('orgs/42', 'a/b.py') === 'orgs/42/a/b.py'. */
export function joinScopePath(scopeFolder: string, relative: string): string {
  const folder = scopeFolder.replace(/\/+$/, '');
  if (folder === '') return relative;
  if (relative === '') return folder;
  return `${folder}/${relative}`;
}

/**
 * Whether `storePath` lies strictly below `folder`, compared segment by segment ('orgs/4' does not
 * contain 'orgs/42/x'). A path with a '..' segment or an absolute path is never inside; '\' counts
 * as a separator so a Windows-style '..\' cannot slip through.
 */
export function isInside(folder: string, storePath: string): boolean {
  if (storePath.startsWith('/') || storePath.startsWith('\\') || DRIVE_LETTER.test(storePath)) return false;
  const outer = segmentsOf(folder);
  const inner = segmentsOf(storePath);
  if (outer === null || inner === null || inner.length <= outer.length) return false;
  return outer.every((segment, i) => inner[i] === segment);
}

function segmentsOf(path: string): string[] | null {
  const parts = path.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  return parts.includes('..') ? null : parts;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function reject(reason: PathRejection, message: string): PathVerdict {
  return { ok: false, reason, message };
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** JSON-quoted (so control characters show escaped) and shortened for messages. */
function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 60)}…${text.slice(-15)}` : text;
  return JSON.stringify(shown);
}
