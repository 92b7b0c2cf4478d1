import { FileStoreError, type FileStoreErrorCode } from '../../ports/FileStore';

/** The errno code of a Node.js system error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Which FileStoreError code an errno stands for. Anything we do not recognise is treated as a
 * (retryable) outage: a flaky SMB mount answers with odd codes, and retrying is the safe reaction.
 */
export function fileStoreCodeForErrno(errno: string | undefined): FileStoreErrorCode {
  switch (errno) {
    case 'ENOENT':
      return 'NotFound';
    case 'EEXIST':
    case 'ENOTDIR':
    case 'EISDIR':
    case 'ENOTEMPTY':
    case 'ENAMETOOLONG':
    case 'EINVAL':
      return 'Conflict';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return 'ReadOnly';
    default:
      return 'Unavailable';
  }
}

/** Wraps a failed fs call; `path` is the store-relative path, never the absolute one. */
export function mapFsError(error: unknown, operation: string, path: string): FileStoreError {
  if (error instanceof FileStoreError) return error;
  const errno = errnoOf(error);
  const code = fileStoreCodeForErrno(errno);
  return new FileStoreError(code, `${operation} '${path}' failed: ${errno ?? 'unknown error'}`, {
    cause: error,
  });
}

/** What rename(2) answers on an SMB mount while another client holds the file open (a sharing violation). */
const IN_USE = new Set(['EACCES', 'EPERM', 'EBUSY']);

/**
 * A failed move into place (rename). On an Azure Files SMB mount a rename over a file another client
 * holds open fails with EACCES or EBUSY until that client closes it: Unavailable (retryable), not a
 * permanent ReadOnly. Only when the destination folder itself refuses writes (`destinationWritable`
 * false: a read-only folder or mount) is the refusal ReadOnly, as for any other write.
 */
export function mapMoveError(
  error: unknown,
  operation: string,
  path: string,
  destinationWritable: boolean,
): FileStoreError {
  if (error instanceof FileStoreError) return error;
  const errno = errnoOf(error);
  if (errno !== undefined && IN_USE.has(errno) && destinationWritable) {
    return new FileStoreError(
      'Unavailable',
      `${operation} '${path}' failed: ${errno} (the file is in use, e.g. held open by another client of the share)`,
      {
        cause: error,
      },
    );
  }
  return mapFsError(error, operation, path);
}
