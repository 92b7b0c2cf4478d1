import type { Connection } from '../domain/Connection';
import type { Manifest } from '../domain/Manifest';
import type { Scope } from '../domain/Scope';
import type { SyncRun, SyncRunStatus } from '../domain/SyncRun';

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

export interface RunQuery {
  readonly scope?: Scope;
  readonly status?: SyncRunStatus;
  /** 1..100. */
  readonly limit: number;
  /** Opaque token from a previous page. */
  readonly continuationToken?: string;
}

export interface RunPage {
  /** Newest first. */
  readonly runs: SyncRun[];
  readonly continuationToken?: string;
}

/** Durable metadata: connections, runs, manifests, leases and processed webhook deliveries. */
export interface MetadataRepo {
  getConnection(scope: Scope): Promise<Connection | null>;
  listConnections(): Promise<Connection[]>;
  saveConnection(connection: Connection): Promise<void>;
  deleteConnection(scope: Scope): Promise<void>;

  /** Inserts or replaces a run by id. */
  saveRun(run: SyncRun): Promise<void>;
  getRun(id: string): Promise<SyncRun | null>;
  listRuns(query: RunQuery): Promise<RunPage>;

  getManifest(scope: Scope): Promise<Manifest | null>;
  /** Replaces the manifest as one atomic write; the saved manifest is clean (`dirty: false`). */
  saveManifest(manifest: Omit<Manifest, 'dirty'>): Promise<void>;
  /** Flags the current manifest (if any) as untrusted before a commit step starts. */
  markManifestDirty(scope: Scope): Promise<void>;
  deleteManifest(scope: Scope): Promise<void>;

  /**
   * Takes the lease when free or expired at `now`; otherwise marks the scope pending, unless
   * `markPending` is false (callers that will ask again themselves, such as edits, so that a
   * holder's release is not kept busy by their polling).
   */
  acquireLease(scope: Scope, holder: string, now: Date, ttlMs: number, options?: LeaseRequestOptions): Promise<LeaseAcquisition>;
  /** Extends a held lease; throws `LeaseLostError` when someone else took it meanwhile. */
  renewLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease>;
  /** Releases, unless the scope was marked pending meanwhile (then clears the flag and keeps it). */
  releaseLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease>;

  /**
   * Records a webhook delivery to a scope; false when this scope already recorded it (a redelivery).
   * GitHub gives every hook of one event the same delivery id, so the same id recorded for another
   * scope is a different delivery. Entries older than the store's retention may be forgotten.
   */
  recordDelivery(deliveryId: string, scope: Scope, at: Date): Promise<boolean>;
  /** Forgets a scope's recorded delivery, so that a redelivery is accepted (used when queueing failed). */
  forgetDelivery(deliveryId: string, scope: Scope): Promise<void>;

  /**
   * Retention: deletes runs started before `before`, except the newest `keepNewestPerScope` runs of
   * each scope whatever their age (a quiet scope keeps its last syncs). Works in batches; answers how
   * many runs were deleted.
   */
  deleteRunsBefore(before: Date, options: { readonly keepNewestPerScope: number }): Promise<number>;
  /** Retention: deletes webhook deliveries and dead-letter decisions recorded before `before`; answers how many rows. */
  deleteDeliveriesBefore(before: Date): Promise<number>;

  /**
   * Records that the queue message `messageId` was dead-lettered, so that any worker handed the same
   * message again (a host that abandons instead of dead-lettering redelivers it) settles it without
   * another sync. Recording again replaces the earlier decision; a store may keep only the first
   * 4096 characters of the description (as Service Bus does).
   */
  recordDeadLetterDecision(messageId: string, decision: DeadLetterDecision): Promise<void>;
  /** The dead-letter decision recorded for a queue message, or null. */
  getDeadLetterDecision(messageId: string): Promise<DeadLetterDecision | null>;
}

/** Why a queue message was dead-lettered, as the worker decided it. */
export interface DeadLetterDecision {
  readonly reason: string;
  readonly description: string;
  readonly at: Date;
}

export class LeaseLostError extends Error {
  constructor(readonly scope: Scope) {
    super(`lease on scope ${scope} was lost to another holder`);
    this.name = 'LeaseLostError';
  }
}

/** A metadata store fault (storage down, timeout): retryable. */
export class MetadataUnavailableError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetadataUnavailableError';
  }
}
