import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { PruneHistory } from '../../../src/domain/sync/PruneHistory';
import { ManualClock } from '../../doubles/ManualClock';
import { metadataFixtures } from '../../ports/contracts/MetadataRepo.contract';

const DAY = 86_400_000;

describe('PruneHistory', () => {
  it('deletes runs and dead-letter decisions older than their retention, keeping the newest runs of each scope; 0 days keeps all', async () => {
    const clock = new ManualClock('2025-06-01T00:00:00.000Z');
    const metadata = new InMemoryMetadataRepo();
    const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY);
    for (const [id, days] of [
      ['a', 200],
      ['b', 100],
      ['c', 95],
      ['d', 1],
    ] as const) {
      await metadata.saveRun(metadataFixtures.run(id, { startedAt: daysAgo(days) }));
    }
    await metadata.recordDeadLetterDecision('old', { reason: 'NotFound', description: 'gone', at: daysAgo(31) });
    await metadata.recordDeadLetterDecision('new', { reason: 'NotFound', description: 'gone', at: daysAgo(29) });

    const keepAll = new PruneHistory({
      metadata,
      clock,
      settings: { runsDays: 0, runsKeepPerScope: 1, deliveriesDays: 0 },
    });
    expect(await keepAll.execute()).toEqual({ runs: 0, deliveries: 0 });

    const prune = new PruneHistory({
      metadata,
      clock,
      settings: { runsDays: 90, runsKeepPerScope: 2, deliveriesDays: 30 },
    });
    expect(await prune.execute()).toEqual({ runs: 2, deliveries: 1 });
    expect((await metadata.listRuns({ limit: 10 })).runs.map((run) => run.id)).toEqual(['d', 'c']);
    expect(await metadata.getDeadLetterDecision('old')).toBeNull();
    expect(await metadata.getDeadLetterDecision('new')).not.toBeNull();
  });
});
