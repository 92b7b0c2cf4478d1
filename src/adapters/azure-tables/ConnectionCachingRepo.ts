import type { Connection } from '../../domain/connections/Connection';
import type { Scope } from '../../domain/shared/Scope';
import type { Manifest } from '../../domain/sync/Manifest';
import type { SyncRun } from '../../domain/sync/SyncRun';
import type { DeadLetterDecision } from '../../ports/DeliveryRepo';
import type { LeaseAcquisition, LeaseRelease, LeaseRequestOptions, ScopeLease } from '../../ports/LeaseRepo';
import type { MetadataRepo } from '../../ports/MetadataRepo';
import type { RunPage, RunQuery } from '../../ports/SyncRunRepo';

export interface ConnectionCacheOptions {
  /** How long a looked-up connection (or its absence) is served without asking the store again. */
  readonly ttlMs: number;
  /** Scopes remembered at once; the oldest is dropped past it (unknown scopes in URLs must not grow memory). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly connection: Connection | null;
  readonly expiresAt: number;
}

/**
 * A MetadataRepo that remembers connections for `cachedConnection`, the webhook's first look-up (one
 * store round trip fewer per delivery). Every other method, `getConnection` included, goes to the
 * store as before. Every connection written or deleted through this object forgets what was
 * remembered, in this process; a change made by another process (another instance) is seen once the
 * entry expires, so `ttlMs` bounds how stale an answer can be. An unknown scope is remembered the
 * same way, never longer.
 */
export class ConnectionCachingRepo implements MetadataRepo {
  private readonly entries = new Map<Scope, Entry>();
  private readonly reading = new Map<Scope, Promise<Connection | null>>();
  /** Bumped when a connection write starts and when it ends: a read that overlapped one is not kept. */
  private changes = 0;
  private writing = 0;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(
    private readonly inner: MetadataRepo,
    private readonly options: ConnectionCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 1_000;
  }

  /** The scope's connection as stored at most `ttlMs` ago (or as written through this object since). */
  cachedConnection(scope: Scope): Promise<Connection | null> {
    const entry = this.entries.get(scope);
    if (entry && entry.expiresAt > this.now()) return Promise.resolve(entry.connection);
    if (entry) this.entries.delete(scope);
    // Concurrent misses share one read.
    const pending = this.reading.get(scope);
    if (pending !== undefined) return pending;
    const seenChanges = this.changes;
    const read = this.inner.getConnection(scope).then(
      (connection) => {
        if (this.reading.get(scope) === read) this.reading.delete(scope);
        if (this.options.ttlMs > 0 && this.writing === 0 && this.changes === seenChanges)
          this.remember(scope, connection);
        return connection;
      },
      (error: unknown) => {
        if (this.reading.get(scope) === read) this.reading.delete(scope);
        throw error;
      },
    );
    this.reading.set(scope, read);
    return read;
  }

  getConnection(scope: Scope): Promise<Connection | null> {
    return this.inner.getConnection(scope);
  }
  listConnections(): Promise<Connection[]> {
    return this.inner.listConnections();
  }
  saveConnection(connection: Connection): Promise<void> {
    return this.changing(() => this.inner.saveConnection(connection));
  }
  deleteConnection(scope: Scope): Promise<void> {
    return this.changing(() => this.inner.deleteConnection(scope));
  }

  saveRun(run: SyncRun): Promise<void> {
    return this.inner.saveRun(run);
  }
  getRun(id: string): Promise<SyncRun | null> {
    return this.inner.getRun(id);
  }
  listRuns(query: RunQuery): Promise<RunPage> {
    return this.inner.listRuns(query);
  }
  getManifest(scope: Scope): Promise<Manifest | null> {
    return this.inner.getManifest(scope);
  }
  saveManifest(manifest: Omit<Manifest, 'dirty'>): Promise<void> {
    return this.inner.saveManifest(manifest);
  }
  markManifestDirty(scope: Scope): Promise<void> {
    return this.inner.markManifestDirty(scope);
  }
  deleteManifest(scope: Scope): Promise<void> {
    return this.inner.deleteManifest(scope);
  }
  acquireLease(
    scope: Scope,
    holder: string,
    now: Date,
    ttlMs: number,
    options?: LeaseRequestOptions,
  ): Promise<LeaseAcquisition> {
    return this.inner.acquireLease(scope, holder, now, ttlMs, options);
  }
  renewLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease> {
    return this.inner.renewLease(lease, now, ttlMs);
  }
  releaseLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease> {
    return this.inner.releaseLease(lease, now, ttlMs);
  }
  deleteRunsBefore(before: Date, options: { readonly keepNewestPerScope: number }): Promise<number> {
    return this.inner.deleteRunsBefore(before, options);
  }
  deleteDeliveriesBefore(before: Date): Promise<number> {
    return this.inner.deleteDeliveriesBefore(before);
  }
  recordDeadLetterDecision(messageId: string, decision: DeadLetterDecision): Promise<void> {
    return this.inner.recordDeadLetterDecision(messageId, decision);
  }
  getDeadLetterDecision(messageId: string): Promise<DeadLetterDecision | null> {
    return this.inner.getDeadLetterDecision(messageId);
  }

  /** Forgets everything before and after a connection write (writes are rare; a look-up is cheap). */
  private async changing(write: () => Promise<void>): Promise<void> {
    this.forgetAll();
    this.writing++;
    try {
      await write();
    } finally {
      this.writing--;
      this.forgetAll();
    }
  }

  private forgetAll(): void {
    this.changes++;
    this.entries.clear();
    this.reading.clear();
  }

  private remember(scope: Scope, connection: Connection | null): void {
    this.entries.delete(scope);
    this.entries.set(scope, { connection, expiresAt: this.now() + this.options.ttlMs });
    // A Map iterates in insertion order, so the first keys are the oldest entries.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
