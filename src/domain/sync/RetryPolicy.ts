export interface RetrySettings {
  /** Attempts in all, the first delivery included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Delay before attempt `attempt + 1`: exponential (base × 2^(attempt-1), capped) with "equal
 * jitter" (half fixed, half random) so retries of many scopes spread out, and never shorter than
 * what GitHub asked for with `retry-after`.
 */
export function retryDelayMs(
  attempt: number,
  settings: RetrySettings,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.ceil(Math.max(jittered, retryAfterMs));
}
