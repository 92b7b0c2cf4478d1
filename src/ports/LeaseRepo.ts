import type { Scope } from '../domain/shared/Scope';
import { Fault } from './Fault';

/** A held per-scope lease; `version` is the store's optimistic-concurrency token. */
export interface ScopeLease {
  readonly scope: Scope;
  readonly holder: string;
  readonly expiresAt: Date;
  readonly version: string;
}

/**
 * `acquired`: the caller holds the lease. `busy`: someone else holds an unexpired lease; the scope
 * is now marked pending so the holder goes again, and `firstPending` says whether this caller was
 * the one who marked it.
 */
export type LeaseAcquisition =
  | { readonly kind: 'acquired'; readonly lease: ScopeLease }
  | { readonly kind: 'busy'; readonly holder: string; readonly expiresAt: Date; readonly firstPending: boolean };

/**
 * `released`: the lease is gone. `pending`: a trigger arrived while held; the flag was cleared and
 * the caller still holds the (renewed) lease and must sync again.
 */
export type LeaseRelease = { readonly kind: 'released' } | { readonly kind: 'pending'; readonly lease: ScopeLease };

export interface LeaseRequestOptions {
  /** Default true: a busy answer marks the scope pending so the holder goes again. */
  readonly markPending?: boolean;
}

/** Per-scope leases: one writer per scope folder at a time, across workers and instances. */
export interface LeaseRepo {
  /**
   * Takes the lease when free or expired at `now`; otherwise marks the scope pending, unless
   * `markPending` is false (callers that will ask again themselves, such as edits, so that a
   * holder's release is not kept busy by their polling).
   */
  acquireLease(
    scope: Scope,
    holder: string,
    now: Date,
    ttlMs: number,
    options?: LeaseRequestOptions,
  ): Promise<LeaseAcquisition>;
  /** Extends a held lease; throws `LeaseLostError` when someone else took it meanwhile. */
  renewLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease>;
  /** Releases, unless the scope was marked pending meanwhile (then clears the flag and keeps it). */
  releaseLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease>;
}

/** Someone else holds the scope now: retryable (the next run takes the lease when it is free). */
export class LeaseLostError extends Fault<'LeaseLost'> {
  constructor(readonly scope: Scope) {
    super('LeaseLost', `lease on scope ${scope} was lost to another holder`, { retryable: true });
    this.name = 'LeaseLostError';
  }
}
