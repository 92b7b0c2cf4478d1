export interface Clock {
  now(): Date;
  /**
   * Resolves once `ms` have passed, or as soon as `signal` aborts (early, never rejecting): a
   * heartbeat that is no longer needed stops waiting, and holds no timer that would keep a process up.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
