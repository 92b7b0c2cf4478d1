/** An answer the API refused, carrying its stable `error` code and its `message` for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole problem body (some carry more, e.g. `fileCount`). */
    readonly body: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A request that never got an answer: the network failed or the service could not be reached. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The service could not be reached. Check that it is running and try again.', { cause });
    this.name = 'NetworkError';
  }
}

/** `fetch`, with a failure to reach the service (not an abort) thrown as a NetworkError. */
export async function fetchOrNetworkError(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    if (init?.signal?.aborted) throw error;
    throw new NetworkError(error);
  }
}

/** The API's `{error, message}` from a failed answer; anything else becomes a sentence, never a dump. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  return apiErrorFromText(response, await response.text().catch(() => ''));
}

/** As apiErrorOf, for an answer whose body was already read as `text`. */
export function apiErrorFromText(response: Pick<Response, 'status' | 'statusText'>, text: string): ApiError {
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
      const problem = body as Record<string, unknown>;
      return new ApiError(
        response.status,
        typeof problem.error === 'string' ? problem.error : `Http${response.status}`,
        problem.message as string,
        problem,
      );
    }
  } catch {
    // not JSON: fall through to a plain sentence
  }
  return new ApiError(
    response.status,
    `Http${response.status}`,
    `The service answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
  );
}

/** A sentence for any thrown value: the API's message, a network failure, or a generic fallback. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
