import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { Scope } from '../../domain/shared/Scope';
import type { LeaseAcquisition, LeaseRelease, LeaseRequestOptions, ScopeLease } from '../../ports/LeaseRepo';
import { LeaseLostError } from '../../ports/LeaseRepo';
import { MetadataUnavailableError } from '../../ports/MetadataRepo';
import { EntityReader } from './EntityFields';
import { isConflict, isNotFound, isPreconditionFailed, tableCall } from './TableErrors';
import { encodeKeyPart } from './TableKeys';

const LEASE_PARTITION = 'lease';
// Every failed write means another caller's write succeeded, so contention resolves within a few
// rounds; the bound only guards against a livelock nobody expects.
const MAX_ATTEMPTS = 25;

interface LeaseRow {
  readonly holder: string;
  readonly expiresAt: Date;
  readonly pending: boolean;
  readonly etag: string;
}

/**
 * One row per scope (holder, expiry, pending flag), changed only by conditional writes: create
 * (409 when it exists), Replace/Merge/Delete with an ETag (412 when someone else wrote first).
 * A losing writer reads again and re-decides, so concurrent callers serialise on the row. Acquire
 * and renew first try the write that the usual case needs, with no read before it.
 */
export class TableLeaseStore {
  constructor(private readonly table: TableClient) {}

  async acquire(
    scope: Scope,
    holder: string,
    now: Date,
    ttlMs: number,
    options: LeaseRequestOptions = {},
  ): Promise<LeaseAcquisition> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    // The usual case in one round trip: no row, since a release deletes it. Else read and decide.
    const created = await this.create(scope, holder, expiresAt);
    if (created !== undefined) return { kind: 'acquired', lease: lease(scope, holder, expiresAt, created) };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await this.read(scope);
      if (current === null) {
        const etag = await this.create(scope, holder, expiresAt);
        if (etag !== undefined) return { kind: 'acquired', lease: lease(scope, holder, expiresAt, etag) };
        continue;
      }
      if (current.expiresAt.getTime() <= now.getTime()) {
        // Expired: take it over. A pending mark belonged to the old holder's run; ours syncs to head anyway.
        const etag = await this.replace(scope, holder, expiresAt, false, current.etag);
        if (etag !== undefined) return { kind: 'acquired', lease: lease(scope, holder, expiresAt, etag) };
        continue;
      }
      if (current.pending || options.markPending === false) {
        return { kind: 'busy', holder: current.holder, expiresAt: current.expiresAt, firstPending: false };
      }
      const etag = await this.replace(scope, current.holder, current.expiresAt, true, current.etag);
      if (etag !== undefined)
        return { kind: 'busy', holder: current.holder, expiresAt: current.expiresAt, firstPending: true };
    }
    throw new MetadataUnavailableError(`acquireLease: scope ${scope} stayed contended`);
  }

  async renew(held: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    // The usual case in one round trip: the row is as we last wrote it, so only the expiry changes
    // (a merge keeps the pending flag). A pending mark or a takeover since changed its version.
    const merged = await this.conditional(() =>
      this.table
        .updateEntity(
          { partitionKey: LEASE_PARTITION, rowKey: encodeKeyPart(held.scope), ExpiresAt: expiresAt },
          'Merge',
          { etag: held.version },
        )
        .then((response) => response.etag),
    );
    if (merged !== undefined) return lease(held.scope, held.holder, expiresAt, merged);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await this.read(held.scope);
      if (current === null || current.holder !== held.holder) throw new LeaseLostError(held.scope);
      // Keep the pending flag: a trigger that arrived meanwhile must still be honoured at release.
      const etag = await this.replace(held.scope, held.holder, expiresAt, current.pending, current.etag);
      if (etag !== undefined) return lease(held.scope, held.holder, expiresAt, etag);
    }
    throw new MetadataUnavailableError(`renewLease: scope ${held.scope} stayed contended`);
  }

  async release(held: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const current = await this.read(held.scope);
      // Someone else holds it (ours expired and was taken over): nothing of ours left to release.
      if (current === null || current.holder !== held.holder) return { kind: 'released' };
      if (current.pending) {
        const expiresAt = new Date(now.getTime() + ttlMs);
        const etag = await this.replace(held.scope, held.holder, expiresAt, false, current.etag);
        if (etag !== undefined) return { kind: 'pending', lease: lease(held.scope, held.holder, expiresAt, etag) };
        continue;
      }
      const deleted = await this.conditional(() =>
        this.table.deleteEntity(LEASE_PARTITION, encodeKeyPart(held.scope), { etag: current.etag }).then(() => true),
      );
      if (deleted) return { kind: 'released' };
    }
    throw new MetadataUnavailableError(`releaseLease: scope ${held.scope} stayed contended`);
  }

  private async read(scope: Scope): Promise<LeaseRow | null> {
    let entity: TableEntityResult<Record<string, unknown>>;
    try {
      entity = await tableCall('readLease', () => this.table.getEntity(LEASE_PARTITION, encodeKeyPart(scope)));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const read = new EntityReader(entity, 'Leases');
    return {
      holder: read.string('Holder'),
      expiresAt: read.date('ExpiresAt'),
      pending: read.boolean('Pending'),
      etag: entity.etag,
    };
  }

  private create(scope: Scope, holder: string, expiresAt: Date): Promise<string | undefined> {
    return this.conditional(() =>
      this.table.createEntity(this.entity(scope, holder, expiresAt, false)).then((response) => response.etag),
    );
  }

  private replace(
    scope: Scope,
    holder: string,
    expiresAt: Date,
    pending: boolean,
    etag: string,
  ): Promise<string | undefined> {
    return this.conditional(() =>
      this.table
        .updateEntity(this.entity(scope, holder, expiresAt, pending), 'Replace', { etag })
        .then((response) => response.etag),
    );
  }

  /** Runs a conditional write; undefined when another writer won (409, 412, or the row vanished). */
  private async conditional<T>(write: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      const result = await tableCall('writeLease', write);
      if (result === undefined) throw new Error('Tables answered a conditional write without an ETag');
      return result;
    } catch (error) {
      if (isConflict(error) || isPreconditionFailed(error) || isNotFound(error)) return undefined;
      throw error;
    }
  }

  private entity(scope: Scope, holder: string, expiresAt: Date, pending: boolean) {
    return {
      partitionKey: LEASE_PARTITION,
      rowKey: encodeKeyPart(scope),
      Scope: scope,
      Holder: holder,
      ExpiresAt: expiresAt,
      Pending: pending,
    };
  }
}

function lease(scope: Scope, holder: string, expiresAt: Date, version: string): ScopeLease {
  return { scope, holder, expiresAt, version };
}
