import * as path from 'node:path';
import { FileStoreError, PRIVATE_FOLDER } from '../../ports/FileStore';

/** Where atomic writes stage their content before the rename that publishes it; callers may not address it. */
const STAGING_FOLDER = `${PRIVATE_FOLDER}/tmp`;

/** Longest path the service takes, and longest name in it ("Naming and referencing shares, directories, files"). */
export const MAX_PATH_LENGTH = 2048;
const MAX_NAME_LENGTH = 255;

/** Characters no directory or file name on a share may hold, control characters included. */
const FORBIDDEN_CHARACTERS = /["\\:|<>*?\x00-\x1f]/;

/**
 * A store path as share-relative segments. Callers have passed the domain's path policy; this is
 * defence in depth, as on the local volume: anything that would climb out of the share root, and the
 * staging folder, are refused. Names compare case-insensitively on the share, so the private folder
 * is recognised in any case.
 */
export function segmentsOf(storePath: string): string[] {
  if (storePath.includes('\0') || storePath.startsWith('/')) throw refused(storePath);
  if (storePath === '') return [];
  const normalised = path.posix.normalize(storePath).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) throw refused(storePath);
  if (normalised === '.') return [];
  const lowered = normalised.toLowerCase();
  if (lowered === PRIVATE_FOLDER || lowered === STAGING_FOLDER || lowered.startsWith(`${STAGING_FOLDER}/`))
    throw refused(storePath);
  if (normalised.length > MAX_PATH_LENGTH) {
    throw new FileStoreError(
      'Conflict',
      `path is longer than ${MAX_PATH_LENGTH} characters, the most an Azure file share takes`,
    );
  }
  const segments = normalised.split('/');
  if (segments.some((segment) => segment.length > MAX_NAME_LENGTH)) {
    throw new FileStoreError(
      'Conflict',
      `a name in '${storePath}' is longer than ${MAX_NAME_LENGTH} characters, the most an Azure file share takes`,
    );
  }
  // Refused here rather than left to the service: the SDK cuts a rename's destination at '?'.
  if (segments.some((segment) => FORBIDDEN_CHARACTERS.test(segment))) {
    throw new FileStoreError(
      'Conflict',
      `'${storePath.replace(/[\x00-\x1f]/g, '?')}' holds a character an Azure file share does not allow (" \\ : | < > * ? or a control character)`,
    );
  }
  return segments;
}

export function joinSegments(segments: readonly string[]): string {
  return segments.join('/');
}

/** Whether two names are one on the share (case-insensitive; no Unicode normalisation). */
export function sameName(a: string, b: string): boolean {
  return a === b || a.toUpperCase() === b.toUpperCase();
}

export function isPrivateFolderName(name: string): boolean {
  return sameName(name, PRIVATE_FOLDER);
}

function refused(storePath: string): FileStoreError {
  return new FileStoreError(
    'Conflict',
    `path '${storePath.replace(/\0/g, '\\0')}' is outside the store root or reserved`,
  );
}
