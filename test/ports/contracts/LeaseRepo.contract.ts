import { describe, expect, it } from 'vitest';
import type { LeaseAcquisition, LeaseRepo, ScopeLease } from '../../../src/ports/LeaseRepo';
import { LeaseLostError } from '../../../src/ports/LeaseRepo';
import { at, freshStorePerTest, ORG_A, ORG_B, type RepoFactory } from './MetadataRepo.fixtures';

function acquired(result: LeaseAcquisition): ScopeLease {
  if (result.kind !== 'acquired') throw new Error(`expected the lease to be acquired, got ${result.kind}`);
  return result.lease;
}

/** The LeaseRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeLeaseRepoContract(name: string, makeAdapter: RepoFactory<LeaseRepo>): void {
  describe(`LeaseRepo contract: ${name}`, () => {
    let repo: LeaseRepo;
    freshStorePerTest(makeAdapter, (adapter) => {
      repo = adapter;
    });

    const TTL = 60_000;

    it('takes a free lease', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(lease).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(TTL) });
      expect(typeof lease.version).toBe('string');
    });

    it('answers busy without a pending mark when asked not to mark, so the holder releases at once', async () => {
      const held = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      for (let i = 1; i <= 3; i++) {
        expect(await repo.acquireLease(ORG_A, `editor-${i}`, at(i), TTL, { markPending: false })).toMatchObject({
          kind: 'busy',
          holder: 'worker-1',
          firstPending: false,
        });
      }
      expect(await repo.releaseLease(held, at(10), TTL)).toEqual({ kind: 'released' });
      acquired(await repo.acquireLease(ORG_A, 'editor-1', at(11), TTL, { markPending: false }));
    });

    it('answers busy while held: the first to ask marks it pending, later ones do not', async () => {
      acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(await repo.acquireLease(ORG_A, 'worker-2', at(1_000), TTL)).toEqual({
        kind: 'busy',
        holder: 'worker-1',
        expiresAt: at(TTL),
        firstPending: true,
      });
      expect(await repo.acquireLease(ORG_A, 'worker-3', at(2_000), TTL)).toMatchObject({
        kind: 'busy',
        firstPending: false,
      });
      // The holder asking again is no exception: the lease is not re-entrant.
      expect(await repo.acquireLease(ORG_A, 'worker-1', at(3_000), TTL)).toMatchObject({
        kind: 'busy',
        firstPending: false,
      });
    });

    it('keeps scopes independent', async () => {
      acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      acquired(await repo.acquireLease(ORG_B, 'worker-2', at(0), TTL));
    });

    it('lets another holder take an expired lease; the old holder then cannot renew', async () => {
      const old = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(await repo.acquireLease(ORG_A, 'worker-2', at(TTL - 1), TTL)).toMatchObject({ kind: 'busy' });
      const taken = acquired(await repo.acquireLease(ORG_A, 'worker-3', at(TTL), TTL));
      expect(taken.expiresAt).toEqual(at(2 * TTL));

      await expect(repo.renewLease(old, at(TTL + 1), TTL)).rejects.toBeInstanceOf(LeaseLostError);
      // The old holder's release leaves the new holder alone.
      expect(await repo.releaseLease(old, at(TTL + 2), TTL)).toEqual({ kind: 'released' });
      expect(await repo.acquireLease(ORG_A, 'worker-4', at(TTL + 3), TTL)).toMatchObject({
        kind: 'busy',
        holder: 'worker-3',
      });
      // The pending mark set on the old holder's watch went with the takeover; worker-4 set a new one.
      expect(await repo.releaseLease(taken, at(TTL + 4), TTL)).toMatchObject({ kind: 'pending' });
    });

    it('an expired takeover starts without the old pending mark', async () => {
      acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(await repo.acquireLease(ORG_A, 'worker-2', at(1), TTL)).toMatchObject({
        kind: 'busy',
        firstPending: true,
      });
      const taken = acquired(await repo.acquireLease(ORG_A, 'worker-3', at(TTL + 1), TTL));
      expect(await repo.releaseLease(taken, at(TTL + 2), TTL)).toEqual({ kind: 'released' });
    });

    it('renews: a later expiry, a new version, and acquirers stay out until the new expiry', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      const renewed = await repo.renewLease(lease, at(TTL - 1_000), TTL);
      expect(renewed).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(2 * TTL - 1_000) });
      expect(renewed.version).not.toBe(lease.version);
      expect(await repo.acquireLease(ORG_A, 'worker-2', at(TTL + 1), TTL)).toMatchObject({
        kind: 'busy',
        holder: 'worker-1',
      });
      const again = await repo.renewLease(renewed, at(TTL + 2), TTL);
      expect(again.expiresAt).toEqual(at(2 * TTL + 2));
    });

    it('renewing keeps a pending mark, so the release still reports it', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      await repo.acquireLease(ORG_A, 'worker-2', at(1), TTL);
      const renewed = await repo.renewLease(lease, at(2), TTL);
      expect(await repo.releaseLease(renewed, at(3), TTL)).toMatchObject({ kind: 'pending' });
    });

    it('renewing a lease that was released and retaken fails with LeaseLostError', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(await repo.releaseLease(lease, at(1), TTL)).toEqual({ kind: 'released' });
      await expect(repo.renewLease(lease, at(2), TTL)).rejects.toBeInstanceOf(LeaseLostError);
      acquired(await repo.acquireLease(ORG_A, 'worker-2', at(3), TTL));
      await expect(repo.renewLease(lease, at(4), TTL)).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('releases a lease nobody asked for, freeing it at once', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      expect(await repo.releaseLease(lease, at(1_000), TTL)).toEqual({ kind: 'released' });
      expect(acquired(await repo.acquireLease(ORG_A, 'worker-2', at(1_001), TTL)).holder).toBe('worker-2');
    });

    it('on release with a pending mark, clears it and keeps the lease extended', async () => {
      const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
      await repo.acquireLease(ORG_A, 'worker-2', at(1_000), TTL);
      const release = await repo.releaseLease(lease, at(30_000), TTL);
      if (release.kind !== 'pending') throw new Error('expected a pending release');
      expect(release.lease).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(30_000 + TTL) });
      // Still held, and the mark is fresh: the next trigger is again the first to mark it.
      expect(await repo.acquireLease(ORG_A, 'worker-3', at(TTL + 1), TTL)).toMatchObject({
        kind: 'busy',
        firstPending: true,
      });
      const second = await repo.releaseLease(release.lease, at(40_000), TTL);
      expect(second.kind).toBe('pending');
      if (second.kind !== 'pending') return;
      expect(await repo.releaseLease(second.lease, at(50_000), TTL)).toEqual({ kind: 'released' });
    });

    it('with 10 concurrent acquirers exactly one wins and exactly one marks it pending', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repo.acquireLease(ORG_A, `worker-${i}`, at(0), TTL)),
      );
      const winners = results.filter((r) => r.kind === 'acquired');
      expect(winners).toHaveLength(1);
      const busy = results.filter((r) => r.kind === 'busy');
      expect(busy).toHaveLength(9);
      expect(busy.filter((r) => r.firstPending)).toHaveLength(1);
      const winner = winners[0]?.kind === 'acquired' ? winners[0].lease : undefined;
      for (const r of busy) expect(r.holder).toBe(winner?.holder);
      expect(await repo.releaseLease(winner as ScopeLease, at(1), TTL)).toMatchObject({ kind: 'pending' });
    });

    it('with concurrent acquirers on an expired lease exactly one takes it over', async () => {
      acquired(await repo.acquireLease(ORG_A, 'stale', at(0), TTL));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repo.acquireLease(ORG_A, `worker-${i}`, at(TTL + 5), TTL)),
      );
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'busy' && r.firstPending)).toHaveLength(1);
    });
  });
}
