import type { Clock } from '../../ports/Clock';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { LeaseRepo } from '../../ports/LeaseRepo';
import type { Scope } from '../shared/Scope';

/** Long enough for a few metadata writes; a holder that dies frees the scope after this. */
const CHANGE_LEASE_MS = 60_000;

export type HoldOutcome<T> =
  | { readonly held: true; readonly value: T }
  | { readonly held: false; readonly retryAfterMs: number };

/**
 * Runs `work` while holding the scope's sync lease, so a connection change never interleaves with
 * a sync of the scope (a sync that finished after a change would write back the connection it read
 * at its start). When a sync holds the scope, nothing runs and the caller is told when to retry;
 * the busy attempt marks the scope pending, which only makes that sync look at the branch once more.
 */
export async function holdScope<T>(
  deps: { readonly metadata: LeaseRepo; readonly clock: Clock; readonly ids: IdGenerator },
  scope: Scope,
  work: () => Promise<T>,
): Promise<HoldOutcome<T>> {
  const { metadata, clock } = deps;
  const holder = `connection-change-${deps.ids.newId()}`;
  // No pending mark: the caller is told to retry; the running sync need not go again for it.
  const acquisition = await metadata.acquireLease(scope, holder, clock.now(), CHANGE_LEASE_MS, { markPending: false });
  if (acquisition.kind === 'busy') {
    const wait = acquisition.expiresAt.getTime() - clock.now().getTime();
    return { held: false, retryAfterMs: Math.min(Math.max(wait, 1_000), 30_000) };
  }
  let lease = acquisition.lease;
  try {
    return { held: true, value: await work() };
  } finally {
    try {
      const release = await metadata.releaseLease(lease, clock.now(), CHANGE_LEASE_MS);
      // A sync asked meanwhile; it has already scheduled its own follow-up, so just let go.
      if (release.kind === 'pending') {
        lease = release.lease;
        await metadata.releaseLease(lease, clock.now(), CHANGE_LEASE_MS);
      }
    } catch {
      // The change is made; an unreleased lease only delays the scope's next sync until it expires.
    }
  }
}
