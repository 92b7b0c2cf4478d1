import type { Connection } from '../../domain/connections/Connection';
import type { Scope } from '../../domain/shared/Scope';
import type { Manifest } from '../../domain/sync/Manifest';
import type { SyncRun } from '../../domain/sync/SyncRun';
import type { DeadLetterDecision } from '../../ports/DeliveryRepo';
import type { LeaseAcquisition, LeaseRelease, LeaseRequestOptions, ScopeLease } from '../../ports/LeaseRepo';
import { LeaseLostError } from '../../ports/LeaseRepo';
import type { MetadataRepo } from '../../ports/MetadataRepo';
import type { RunPage, RunQuery } from '../../ports/SyncRunRepo';
import { InvalidContinuationTokenError } from '../../ports/SyncRunRepo';

interface LeaseRow {
  holder: string;
  expiresAt: Date;
  pending: boolean;
  version: string;
}

// The largest millisecond value a Date can hold; subtracting from it sorts newest first.
const MAX_DATE_MS = 8_640_000_000_000_000;

/** Newest first, ties broken by id: the same order the Tables adapter keeps. */
function listingKey(run: SyncRun): string {
  return `${(MAX_DATE_MS - run.startedAt.getTime()).toString().padStart(16, '0')}|${run.id}`;
}

/**
 * MetadataRepo in process memory, with the semantics of the durable adapters (copies in and out,
 * lease versions, dirty flag, opaque page tokens), for unit tests and throwaway local runs.
 * JavaScript runs one callback at a time, so each method is atomic without locks.
 */
export class InMemoryMetadataRepo implements MetadataRepo {
  private readonly connections = new Map<Scope, Connection>();
  private readonly runs = new Map<string, SyncRun>();
  private readonly manifests = new Map<Scope, Manifest>();
  private readonly leases = new Map<Scope, LeaseRow>();
  /** Keyed by message id. */
  private readonly deadLetterDecisions = new Map<string, DeadLetterDecision>();
  private nextVersion = 1;

  async getConnection(scope: Scope): Promise<Connection | null> {
    const connection = this.connections.get(scope);
    return connection === undefined ? null : structuredClone(connection);
  }

  async listConnections(): Promise<Connection[]> {
    return [...this.connections.values()].map((connection) => structuredClone(connection));
  }

  async saveConnection(connection: Connection): Promise<void> {
    this.connections.set(connection.scope, structuredClone(connection));
  }

  async deleteConnection(scope: Scope): Promise<void> {
    this.connections.delete(scope);
  }

  async saveRun(run: SyncRun): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
  }

  async getRun(id: string): Promise<SyncRun | null> {
    const run = this.runs.get(id);
    return run === undefined ? null : structuredClone(run);
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      throw new RangeError(`run page limit must be 1..100, got ${query.limit}`);
    }
    const after = query.continuationToken === undefined ? undefined : decodeToken(query.continuationToken);
    const matching = [...this.runs.values()]
      .filter((run) => query.scope === undefined || run.scope === query.scope)
      .filter((run) => query.status === undefined || run.status === query.status)
      .map((run) => ({ key: listingKey(run), run }))
      .filter(({ key }) => after === undefined || key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = matching.slice(0, query.limit);
    const last = page[page.length - 1];
    const runs = page.map(({ run }) => structuredClone(run));
    return matching.length > query.limit && last !== undefined
      ? { runs, continuationToken: encodeToken(last.key) }
      : { runs };
  }

  async getManifest(scope: Scope): Promise<Manifest | null> {
    const manifest = this.manifests.get(scope);
    return manifest === undefined ? null : structuredClone(manifest);
  }

  async saveManifest(manifest: Omit<Manifest, 'dirty'>): Promise<void> {
    const { scope, commitSha, entries, tree } = manifest;
    const copy = structuredClone({ scope, commitSha, entries, ...(tree ? { tree } : {}) });
    this.manifests.set(manifest.scope, { ...copy, dirty: false });
  }

  async markManifestDirty(scope: Scope): Promise<void> {
    const manifest = this.manifests.get(scope);
    if (manifest !== undefined) this.manifests.set(scope, { ...manifest, dirty: true });
  }

  async deleteManifest(scope: Scope): Promise<void> {
    this.manifests.delete(scope);
  }

  async acquireLease(
    scope: Scope,
    holder: string,
    now: Date,
    ttlMs: number,
    options: LeaseRequestOptions = {},
  ): Promise<LeaseAcquisition> {
    const current = this.leases.get(scope);
    if (current === undefined || current.expiresAt.getTime() <= now.getTime()) {
      // Free or expired: take it; a pending mark belonged to the previous holder's run.
      return { kind: 'acquired', lease: this.write(scope, holder, new Date(now.getTime() + ttlMs), false) };
    }
    const firstPending = !current.pending && options.markPending !== false;
    if (firstPending) this.write(scope, current.holder, current.expiresAt, true);
    return { kind: 'busy', holder: current.holder, expiresAt: new Date(current.expiresAt), firstPending };
  }

  async renewLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease> {
    const current = this.leases.get(lease.scope);
    if (current === undefined || current.holder !== lease.holder) throw new LeaseLostError(lease.scope);
    return this.write(lease.scope, lease.holder, new Date(now.getTime() + ttlMs), current.pending);
  }

  async releaseLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease> {
    const current = this.leases.get(lease.scope);
    // Someone else holds it (ours expired and was taken over): nothing of ours left to release.
    if (current === undefined || current.holder !== lease.holder) return { kind: 'released' };
    if (current.pending) {
      return { kind: 'pending', lease: this.write(lease.scope, lease.holder, new Date(now.getTime() + ttlMs), false) };
    }
    this.leases.delete(lease.scope);
    return { kind: 'released' };
  }

  async deleteRunsBefore(before: Date, options: { readonly keepNewestPerScope: number }): Promise<number> {
    const seenPerScope = new Map<Scope, number>();
    const newestFirst = [...this.runs.values()].sort((a, b) => (listingKey(a) < listingKey(b) ? -1 : 1));
    let deleted = 0;
    for (const run of newestFirst) {
      const seen = (seenPerScope.get(run.scope) ?? 0) + 1;
      seenPerScope.set(run.scope, seen);
      if (seen > options.keepNewestPerScope && run.startedAt < before) {
        this.runs.delete(run.id);
        deleted += 1;
      }
    }
    return deleted;
  }

  async deleteDeliveriesBefore(before: Date): Promise<number> {
    let deleted = 0;
    for (const [messageId, decision] of this.deadLetterDecisions) {
      if (decision.at < before && this.deadLetterDecisions.delete(messageId)) deleted += 1;
    }
    return deleted;
  }

  async recordDeadLetterDecision(messageId: string, decision: DeadLetterDecision): Promise<void> {
    this.deadLetterDecisions.set(messageId, structuredClone(decision));
  }

  async getDeadLetterDecision(messageId: string): Promise<DeadLetterDecision | null> {
    const decision = this.deadLetterDecisions.get(messageId);
    return decision === undefined ? null : structuredClone(decision);
  }

  private write(scope: Scope, holder: string, expiresAt: Date, pending: boolean): ScopeLease {
    const version = String(this.nextVersion++);
    this.leases.set(scope, { holder, expiresAt: new Date(expiresAt), pending, version });
    return { scope, holder, expiresAt: new Date(expiresAt), version };
  }
}

function encodeToken(afterKey: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: afterKey }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  let parsed: { v?: unknown; after?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
  } catch {
    parsed = undefined;
  }
  if (parsed?.v !== 1 || typeof parsed.after !== 'string') throw new InvalidContinuationTokenError();
  return parsed.after;
}
