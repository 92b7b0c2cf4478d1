import { describe, expect, it } from 'vitest';
import type { DeliveryRepo } from '../../../src/ports/DeliveryRepo';
import { at, freshStorePerTest, type RepoFactory } from './MetadataRepo.fixtures';

/** The DeliveryRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeDeliveryRepoContract(name: string, makeAdapter: RepoFactory<DeliveryRepo>): void {
  describe(`DeliveryRepo contract: ${name}`, () => {
    let repo: DeliveryRepo;
    freshStorePerTest(makeAdapter, (adapter) => {
      repo = adapter;
    });

    describe('retention', () => {
      const DAY = 86_400_000;

      it('deletes dead-letter decisions recorded before the cutoff, keeps later ones', async () => {
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

        expect(await repo.deleteDeliveriesBefore(at(-30 * DAY))).toBe(1);
        expect(await repo.getDeadLetterDecision('recent-message')).not.toBeNull();
        expect(await repo.getDeadLetterDecision('old-message')).toBeNull();
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

      it('a later decision replaces an earlier one; a long description is kept to at least 4096 characters', async () => {
        await repo.recordDeadLetterDecision(longId, { reason: 'NotFound', description: 'first', at: at(0) });
        await repo.recordDeadLetterDecision(longId, {
          reason: 'SyncRetriesExhausted',
          description: 'x'.repeat(5_000),
          at: at(1_000),
        });
        const decision = await repo.getDeadLetterDecision(longId);
        expect(decision).toMatchObject({ reason: 'SyncRetriesExhausted', at: at(1_000) });
        expect(decision!.description.length).toBeGreaterThanOrEqual(4_096);
      });
    });
  });
}
