export interface FaultOptions {
  /** Whether the same call may succeed later unchanged (storage down, rate limited, timeout). */
  readonly retryable: boolean;
  /** When the dependency said how long to wait (a rate limit's retry-after). */
  readonly retryAfterMs?: number;
  /** The SDK or system error behind it, for logs that want it; never serialised (see toJSON). */
  readonly cause?: unknown;
}

/** What a fault says about itself when written out: never the cause, which may quote a request. */
export interface FaultJson {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

/**
 * The one base of every fault a port throws (storage down, GitHub refusing, a queue unreachable).
 * Callers recognise faults by `instanceof Fault` and decide on `retryable` alone: anything thrown
 * that is not a Fault is a bug, never retried (a dead letter for the worker, a 500 for HTTP).
 * Adapters therefore map every transient SDK or network error to a retryable Fault themselves.
 */
export abstract class Fault<C extends string = string> extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  protected constructor(
    readonly code: C,
    message: string,
    options: FaultOptions,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** Safe to log or store: name, code, message and retry hints only. */
  toJSON(): FaultJson {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}
