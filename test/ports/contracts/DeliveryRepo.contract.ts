import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { DeliveryRepo } from '../../../src/ports/DeliveryRepo';
import { at, ORG_A, ORG_B, type RepoFactory } from './MetadataRepo.fixtures';

/** The DeliveryRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeDeliveryRepoContract(name: string, makeAdapter: RepoFactory<DeliveryRepo>): void {
  describe(`DeliveryRepo contract: ${name}`, () => {
    let repo: DeliveryRepo;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await makeAdapter();
      repo = made.adapter;
      cleanup = made.cleanup;
    });

    afterEach(async () => {
      await cleanup?.();
    });

    it('records a delivery once per scope; a redelivery answers false', async () => {
      expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
      expect(await repo.recordDelivery('d-1', ORG_A, at(1_000))).toBe(false);
      expect(await repo.recordDelivery('d-2', ORG_A, at(3_000))).toBe(true);
      expect(await repo.recordDelivery('72d3162e-cc78-11e3-81ab-4c9367dc0958', ORG_A, at(3_000))).toBe(true);
    });

    it('records the same delivery id for each scope it reaches (GitHub shares it between the hooks of one event)', async () => {
      expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
      expect(await repo.recordDelivery('d-1', ORG_B, at(0))).toBe(true);
      expect(await repo.recordDelivery('d-1', GLOBAL_SCOPE, at(0))).toBe(true);
      expect(await repo.recordDelivery('d-1', ORG_B, at(1_000))).toBe(false);
    });

    it('with 10 concurrent duplicates exactly one records it', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => repo.recordDelivery('dup', ORG_A, at(0))));
      expect(results.filter((recorded) => recorded)).toHaveLength(1);
    });

    it("forgets one scope's delivery so its redelivery is accepted; forgetting an unknown one is harmless", async () => {
      expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
      expect(await repo.recordDelivery('d-1', ORG_B, at(0))).toBe(true);
      await repo.forgetDelivery('d-1', ORG_A);
      await repo.forgetDelivery('never-seen', ORG_A);
      expect(await repo.recordDelivery('d-1', ORG_A, at(1))).toBe(true);
      expect(await repo.recordDelivery('d-1', ORG_A, at(2))).toBe(false);
      expect(await repo.recordDelivery('d-1', ORG_B, at(2))).toBe(false);
    });

    describe('retention', () => {
      const DAY = 86_400_000;

      it('deletes deliveries and dead-letter decisions recorded before the cutoff; their redeliveries are then new', async () => {
        expect(await repo.recordDelivery('old', ORG_A, at(-40 * DAY))).toBe(true);
        expect(await repo.recordDelivery('old', ORG_B, at(-40 * DAY))).toBe(true);
        expect(await repo.recordDelivery('recent', ORG_A, at(-DAY))).toBe(true);
        await repo.recordDeadLetterDecision('old-message', {
          reason: 'NotFound',
          description: 'gone',
          at: at(-40 * DAY),
        });
        await repo.recordDeadLetterDecision('recent-message', {
          reason: 'NotFound',
          description: 'gone',
          at: at(-DAY),
        });

        expect(await repo.deleteDeliveriesBefore(at(-30 * DAY))).toBe(3);
        expect(await repo.recordDelivery('recent', ORG_A, at(0))).toBe(false);
        expect(await repo.getDeadLetterDecision('recent-message')).not.toBeNull();
        expect(await repo.getDeadLetterDecision('old-message')).toBeNull();
        expect(await repo.recordDelivery('old', ORG_B, at(0))).toBe(true);
        expect(await repo.deleteDeliveriesBefore(at(-30 * DAY))).toBe(0);
      });
    });

    describe('dead-letter decisions', () => {
      const longId = 'f'.repeat(64);

      it('answers null for a message without one, then the recorded decision', async () => {
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1')).toBeNull();
        await repo.recordDeadLetterDecision('GLOBAL:d-1', {
          reason: 'Unauthorized',
          description: 'Unauthorized: token revoked',
          at: at(0),
        });
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1')).toEqual({
          reason: 'Unauthorized',
          description: 'Unauthorized: token revoked',
          at: at(0),
        });
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1:attempt-2')).toBeNull();
      });

      it('keeps decisions apart from deliveries of the same id, and a later decision replaces an earlier one', async () => {
        expect(await repo.recordDelivery(longId, ORG_A, at(0))).toBe(true);
        await repo.recordDeadLetterDecision(longId, { reason: 'NotFound', description: 'first', at: at(0) });
        await repo.recordDeadLetterDecision(longId, {
          reason: 'SyncRetriesExhausted',
          description: 'x'.repeat(5_000),
          at: at(1_000),
        });
        const decision = await repo.getDeadLetterDecision(longId);
        expect(decision).toMatchObject({ reason: 'SyncRetriesExhausted', at: at(1_000) });
        expect(decision!.description.length).toBeGreaterThanOrEqual(4_096);
        expect(await repo.recordDelivery(longId, ORG_A, at(0))).toBe(false);
      });
    });
  });
}
