import type { Clock } from '../../ports/Clock';
import { LeaseLostError, type LeaseRepo, type ScopeLease } from '../../ports/LeaseRepo';
import { SyncFailure } from './SyncFailure';

/**
 * Renews the scope lease during long runs, so it only lapses when the holder stops. Loops call
 * `keepAlive` between their items; a phase that waits on one long call runs it in `keepAliveDuring`.
 * Once a renewal finds the lease taken, every later `keepAlive` fails at once, so no step goes on
 * changing the folder on a lease it no longer holds.
 */
export class LeaseKeeper {
  private renewedAt: number;
  private renewing: Promise<void> | undefined;
  private lost: SyncFailure | undefined;
  constructor(
    private readonly metadata: LeaseRepo,
    private readonly clock: Clock,
    public lease: ScopeLease,
    private readonly ttlMs: number,
  ) {
    this.renewedAt = clock.now().getTime();
  }

  /** Renews when a third of the TTL has passed since the last renewal; cheap to call often. */
  async keepAlive(): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.renewing !== undefined) return this.renewing;
    if (this.msUntilDue() <= 0) await this.renewNow();
  }

  /** Renews now; concurrent callers share one renewal (two would race on the lease's version). */
  renewNow(): Promise<void> {
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /**
   * Runs `work` (one long call: a backup, a listing, a tree walk) while renewing the lease every
   * third of its TTL. A lease lost meanwhile fails the phase once `work` returns; `work`'s own
   * failure comes first. The heartbeat's sleep is cancelled when the phase ends, so no timer
   * outlives it (a pending one would keep a one-shot process alive for a third of the TTL).
   */
  async keepAliveDuring<T>(work: () => Promise<T>): Promise<T> {
    const phase = new AbortController();
    // Failures come back as values: a rejection nobody awaits yet would be unhandled.
    const heartbeat = (async (): Promise<{ failure: unknown } | undefined> => {
      try {
        while (!phase.signal.aborted) {
          await this.clock.sleep(Math.max(this.msUntilDue(), 0), phase.signal);
          if (!phase.signal.aborted) await this.keepAlive();
        }
        return undefined;
      } catch (failure) {
        return { failure };
      }
    })();
    const end = async () => {
      phase.abort();
      return heartbeat;
    };
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await end();
      throw error;
    }
    const outcome = await end();
    if (outcome) throw outcome.failure;
    return result;
  }

  private msUntilDue(): number {
    return this.renewedAt + this.ttlMs / 3 - this.clock.now().getTime();
  }

  private async renew(): Promise<void> {
    try {
      this.lease = await this.metadata.renewLease(this.lease, this.clock.now(), this.ttlMs);
      this.renewedAt = this.clock.now().getTime();
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.lost = new SyncFailure('LeaseLost');
        throw this.lost;
      }
      throw error;
    }
  }
}
