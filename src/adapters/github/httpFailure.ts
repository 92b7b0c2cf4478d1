/**
 * What we can learn from an error Octokit threw: the HTTP status (absent for network failures),
 * the response headers and GitHub's message. Octokit's RequestError carries them; a plain Error
 * (abort, bug) carries none.
 */
export interface HttpFailure {
  /** HTTP status; undefined when no response arrived (network failure, reset, timeout). */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly message: string;
  /** GitHub's GraphQL-style error types; `RATE_LIMITED` marks a rate limit. */
  readonly errorTypes: readonly string[];
}

export function httpFailureOf(error: unknown): HttpFailure {
  if (typeof error !== 'object' || error === null) {
    return { status: undefined, headers: {}, message: String(error), errorTypes: [] };
  }
  const candidate = error as {
    status?: unknown;
    message?: unknown;
    response?: { headers?: Record<string, unknown>; data?: unknown };
  };
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  const response = candidate.response;
  // Octokit reports a failure to get any response as status 500 without a response object.
  if (response === undefined || typeof candidate.status !== 'number') {
    return { status: undefined, headers: {}, message, errorTypes: [] };
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    headers[name.toLowerCase()] = value === undefined || value === null ? undefined : String(value);
  }
  return { status: candidate.status, headers, message, errorTypes: errorTypesOf(response.data) };
}

function errorTypesOf(data: unknown): string[] {
  if (typeof data !== 'object' || data === null || !('errors' in data)) return [];
  const errors = (data as { errors: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((entry: unknown) =>
      typeof entry === 'object' && entry !== null && 'type' in entry ? (entry as { type: unknown }).type : undefined,
    )
    .filter((type): type is string => typeof type === 'string');
}
