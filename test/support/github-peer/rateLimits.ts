import type { RateBucketView } from './representations';

const WINDOW_SECONDS = 3600;

interface Bucket {
  limit: number;
  used: number;
  reset: number; // epoch seconds
}

/**
 * GitHub's primary rate limit: a fixed hourly window per token (per client for anonymous calls),
 * reported on every response in the x-ratelimit-* headers.
 */
export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly tokenLimit: number,
    private readonly anonymousLimit: number,
  ) {}

  /** The bucket's state without spending from it. */
  peek(key: string, anonymous: boolean): RateBucketView {
    return view(this.bucket(key, anonymous));
  }

  /** Spends one call; returns the state after it, or null when the window is exhausted. */
  spend(key: string, anonymous: boolean): RateBucketView | null {
    const bucket = this.bucket(key, anonymous);
    if (bucket.used >= bucket.limit) return null;
    bucket.used++;
    return view(bucket);
  }

  private bucket(key: string, anonymous: boolean): Bucket {
    const now = Math.floor(Date.now() / 1000);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.reset <= now) {
      bucket = { limit: anonymous ? this.anonymousLimit : this.tokenLimit, used: 0, reset: now + WINDOW_SECONDS };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

function view(bucket: Bucket): RateBucketView {
  return {
    limit: bucket.limit,
    remaining: Math.max(0, bucket.limit - bucket.used),
    reset: bucket.reset,
    used: bucket.used,
  };
}

export function rateLimitHeaders(state: RateBucketView): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.reset),
    'x-ratelimit-used': String(state.used),
    'x-ratelimit-resource': 'core',
  };
}
