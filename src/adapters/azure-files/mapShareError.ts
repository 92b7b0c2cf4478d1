import { isRestError } from '@azure/storage-file-share';
import { FileStoreError } from '../../ports/FileStore';

/** `x-ms-error-code` of a failed Files REST call, when the service answered. */
export function errorCodeOf(error: unknown): string | undefined {
  return isRestError(error) ? error.code : undefined;
}

export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/** 404 with any code but ShareNotFound: the file, directory or a parent is not there. */
export function isMissing(error: unknown): boolean {
  return statusOf(error) === 404 && errorCodeOf(error) !== 'ShareNotFound';
}

/** Missing, or of the other kind (a folder where a file was asked for, or the reverse). */
export function isNotThere(error: unknown): boolean {
  return isMissing(error) || errorCodeOf(error) === 'ResourceTypeMismatch';
}

// 409s that mean "someone else holds it right now" (an SMB client has it open, locked or being
// deleted): worth trying again, like EBUSY on a mount, not a permanent conflict.
const BUSY_CODES = new Set([
  'SharingViolation',
  'FileLockConflict',
  'DeletePending',
  'FileOpenBySmbClient',
  'ShareBeingDeleted',
  'ClientCacheFlushDelay',
]);

/**
 * Maps a failed Files REST call to a FileStoreError. 5xx, 408, 429, throttling (`ServerBusy`),
 * timeouts and network failures are `Unavailable` (retryable); a missing share is `Unavailable` too,
 * never `NotFound`, so that a share taken away can never look like an empty workspace. 404 is
 * `NotFound`; 403 and a read-only attribute are `ReadOnly`; other 4xx (invalid names, a folder in the
 * way, a directory not empty) are `Conflict`.
 */
export function mapShareError(error: unknown, operation: string, path: string): FileStoreError {
  if (error instanceof FileStoreError) return error;
  const where = `${operation} '${path}'`;
  if (!isRestError(error)) {
    // The SDK's own failures: a download whose file changed between retries, aborts, bad input.
    const message = error instanceof Error ? error.message : String(error);
    return new FileStoreError('Unavailable', `${where} failed: ${message}`, { cause: error });
  }
  const status = error.statusCode;
  const code = error.code ?? 'no error code';
  const message = `${where} failed: ${status ?? 'no answer'} ${code}`;
  if (
    status === undefined ||
    status >= 500 ||
    status === 408 ||
    status === 429 ||
    code === 'ServerBusy' ||
    code === 'OperationTimedOut'
  ) {
    return new FileStoreError('Unavailable', message, { cause: error });
  }
  if (code === 'ShareNotFound' || BUSY_CODES.has(code))
    return new FileStoreError('Unavailable', message, { cause: error });
  if (status === 404) return new FileStoreError('NotFound', message, { cause: error });
  if (status === 403 || code === 'ReadOnlyAttribute' || code === 'ShareDisabled')
    return new FileStoreError('ReadOnly', message, { cause: error });
  return new FileStoreError('Conflict', message, { cause: error });
}
