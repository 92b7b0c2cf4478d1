import { MetadataUnavailableError } from '../../ports/MetadataRepo';

interface ErrorShape {
  statusCode?: unknown;
  code?: unknown;
  details?: { odataError?: { code?: unknown }; errorCode?: unknown };
}

/** HTTP status of a failed Tables call; undefined for network errors (no response). */
function tableStatus(error: unknown): number | undefined {
  const status = (error as ErrorShape | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The service's error code. Single-entity calls carry it in `details.odataError.code`; transaction
 * sub-request failures put it on `code` directly.
 */
export function tableErrorCode(error: unknown): string | undefined {
  const shape = error as ErrorShape | null;
  const candidates = [shape?.details?.odataError?.code, shape?.details?.errorCode, shape?.code];
  return candidates.find((value): value is string => typeof value === 'string');
}

export const isNotFound = (error: unknown): boolean => tableStatus(error) === 404;
export const isConflict = (error: unknown): boolean => tableStatus(error) === 409;
export const isPreconditionFailed = (error: unknown): boolean => tableStatus(error) === 412;

/** Network failures, timeouts, throttling and 5xx: the store is (momentarily) unavailable. */
function isTransient(error: unknown): boolean {
  const status = tableStatus(error);
  if (status === undefined) {
    // No HTTP response at all: refused, reset, DNS, socket timeout, aborted.
    if (!(error instanceof Error)) return false;
    const code = (error as ErrorShape).code;
    return (
      error.name === 'RestError' || error.name === 'AbortError' || (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) // Node system errors: ECONNRESET, ETIMEDOUT ...
    );
  }
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Runs one storage operation, turning transient faults into `MetadataUnavailableError` (retryable).
 * The message names the operation only: SDK messages can echo request URLs, never credentials,
 * but the cause is kept for logs that want it.
 */
export async function tableCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) {
      const status = tableStatus(error);
      const detail = status === undefined ? (tableErrorCode(error) ?? 'no response') : `HTTP ${status}`;
      throw new MetadataUnavailableError(`table storage unavailable during ${operation} (${detail})`, { cause: error });
    }
    throw error;
  }
}
