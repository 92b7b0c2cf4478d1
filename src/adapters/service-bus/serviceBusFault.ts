import { CommandQueueError } from '../../ports/CommandQueue';

/** Codes the SDK uses for a namespace that did not answer or asked us to back off: worth a retry. */
const TRANSIENT_CODES = new Set([
  'ServiceBusy',
  'ServiceTimeout',
  'ServiceCommunicationProblem',
  'GeneralError',
  'QuotaExceeded',
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly retryable?: unknown;
}

/** Whether a Service Bus SDK (or network) error is momentary: the SDK's own verdict, else its code. */
function isTransientServiceBusError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, retryable } = error as ErrorShape;
  if (retryable === true) return true;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || /^E[A-Z_]+$/.test(code))) return true; // ECONNREFUSED, ECONNRESET ...
  return name === 'AbortError' || name === 'OperationTimeoutError';
}

/**
 * Runs one queue operation, turning what the SDK throws (after its own retries) into a
 * CommandQueueError: `Unavailable` (retryable) for a namespace that is down, busy or slow,
 * `Rejected` for a refusal (no such queue, access denied, message too large). The message names
 * the operation and the SDK's code only.
 */
export async function queueCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CommandQueueError) throw error;
    const code =
      typeof (error as ErrorShape | null)?.code === 'string' ? String((error as ErrorShape).code) : 'no code';
    if (isTransientServiceBusError(error)) {
      throw new CommandQueueError('Unavailable', `Service Bus unavailable during ${operation} (${code})`, {
        cause: error,
      });
    }
    throw new CommandQueueError('Rejected', `Service Bus refused ${operation} (${code})`, { cause: error });
  }
}
