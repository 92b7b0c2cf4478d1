import type { Clock } from '../../ports/Clock';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { LeaseRepo, ScopeLease } from '../../ports/LeaseRepo';
import type { Logger } from '../../ports/Logger';
import type { Scope } from '../shared/Scope';
import { failed, type WorkspaceFailure, type WorkspaceResult } from './WorkspaceResult';

const DEFAULT_LOCK_WAIT_MS = 2_000;

export interface ScopeEditLockDeps {
  readonly metadata: LeaseRepo;
  readonly clock: Clock;
  /** Gives each edit a lease holder of its own. */
  readonly ids: IdGenerator;
  readonly settings: {
    /** Identifies this process in leases; each edit adds its own suffix. */
    readonly holderId: string;
    readonly leaseTtlMs: number;
    /** How long an edit waits for a sync or another edit of the scope before `ScopeBusy`. */
    readonly lockWaitMs?: number;
  };
  /** Waits between lease attempts; defaults to the clock's sleep (tests pass a fast one). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

// Short first retries: another edit holds the lease for milliseconds; a sync for longer.
const FIRST_RETRY_MS = 20;
const LONGEST_RETRY_MS = 200;

/**
 * Runs one edit under the scope's lease, the same lease syncs take, so a sync and an edit of one
 * scope never interleave and two conditional edits are checked and applied one after the other.
 */
export class ScopeEditLock {
  /** Tail of each scope's line of edits in this process. */
  private readonly lines = new Map<Scope, Promise<void>>();

  constructor(private readonly deps: ScopeEditLockDeps) {}

  /**
   * Edits of one scope in this process line up here first, so they take the shared lease one after
   * the other instead of polling for it against each other.
   */
  async run<R extends WorkspaceResult<unknown>>(
    scope: Scope,
    work: () => Promise<R>,
  ): Promise<R | WorkspaceFailure<'ScopeBusy'>> {
    const ahead = this.lines.get(scope) ?? Promise.resolve();
    let leave!: () => void;
    const tail = ahead.then(() => new Promise<void>((resolve) => (leave = resolve)));
    this.lines.set(scope, tail);
    try {
      await ahead;
      return await this.runLeased(scope, work);
    } finally {
      // `leave` is set once `ahead` settled, which the await above guarantees.
      leave();
      if (this.lines.get(scope) === tail) this.lines.delete(scope);
    }
  }

  private async runLeased<R extends WorkspaceResult<unknown>>(
    scope: Scope,
    work: () => Promise<R>,
  ): Promise<R | WorkspaceFailure<'ScopeBusy'>> {
    const lease = await this.acquire(scope);
    if (lease === null) {
      return failed('ScopeBusy', `the workspace of scope ${scope} is being synced or edited; try again in a moment`);
    }
    try {
      return await work();
    } finally {
      await this.release(lease);
    }
  }

  private async acquire(scope: Scope): Promise<ScopeLease | null> {
    const { metadata, clock, settings } = this.deps;
    const sleep = this.deps.sleep ?? ((ms: number) => clock.sleep(ms));
    const waitMs = settings.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    // A holder of its own per edit: releaseLease matches on the holder, so two edits of one
    // process must never be able to release each other's lease.
    const holder = `${settings.holderId}:edit:${this.deps.ids.newId()}`;
    let waited = 0;
    let delay = FIRST_RETRY_MS;
    for (;;) {
      // Without a pending mark: this loop asks again itself, and marking would keep the holder's
      // release busy clearing marks for as long as we poll.
      const attempt = await metadata.acquireLease(scope, holder, clock.now(), settings.leaseTtlMs, {
        markPending: false,
      });
      if (attempt.kind === 'acquired') return attempt.lease;
      if (waited >= waitMs) return null;
      const pause = Math.min(delay, waitMs - waited);
      await sleep(pause);
      waited += pause;
      delay = Math.min(delay * 2, LONGEST_RETRY_MS);
    }
  }

  /**
   * Releases the lease. 'pending' means someone asked for the scope while we held it (a waiting
   * edit, or a sync that queued its own follow-up): the lease is still ours, so release again.
   */
  private async release(lease: ScopeLease): Promise<void> {
    const { metadata, clock, settings } = this.deps;
    try {
      let held = lease;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const release = await metadata.releaseLease(held, clock.now(), settings.leaseTtlMs);
        if (release.kind === 'released') return;
        held = release.lease;
      }
      this.deps.logger?.warn({ scope: lease.scope }, 'the scope lease stayed requested after an edit; it will expire');
    } catch (error) {
      // The edit itself is done; reporting it failed would make the caller repeat a finished write.
      // An unreleased lease expires after its TTL.
      this.deps.logger?.warn(
        { scope: lease.scope, error: error instanceof Error ? error.message : String(error) },
        'could not release the scope lease after an edit; it will expire',
      );
    }
  }
}
