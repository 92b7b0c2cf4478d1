import type { Clock } from '../ports/Clock';
import { LeaseLostError, type MetadataRepo, type ScopeLease } from '../ports/MetadataRepo';
import { SyncFailure } from './SyncFailure';

/** Renews the scope lease during long runs, so it only lapses when the holder stops. */
export class LeaseKeeper {
  private renewedAt: number;
  private renewing: Promise<void> | undefined;
  constructor(
    private readonly metadata: MetadataRepo,
    private readonly clock: Clock,
    public lease: ScopeLease,
    private readonly ttlMs: number,
  ) {
    this.renewedAt = clock.now().getTime();
  }

  async keepAlive(): Promise<void> {
    if (this.renewing) return this.renewing;
    if (this.clock.now().getTime() - this.renewedAt >= this.ttlMs / 3) await this.renewNow();
  }

  /** Renews now; concurrent callers share one renewal (two would race on the lease's version). */
  renewNow(): Promise<void> {
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renew(): Promise<void> {
    try {
      this.lease = await this.metadata.renewLease(this.lease, this.clock.now(), this.ttlMs);
      this.renewedAt = this.clock.now().getTime();
    } catch (error) {
      if (error instanceof LeaseLostError) throw new SyncFailure('LeaseLost');
      throw error;
    }
  }
}
