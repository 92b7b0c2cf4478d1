import type { Clock } from '../../ports/Clock';
import type { DeliveryRepo } from '../../ports/DeliveryRepo';
import type { SyncRunRepo } from '../../ports/SyncRunRepo';

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** Runs started longer ago are deleted; 0 keeps them forever. */
  readonly runsDays: number;
  /** The newest runs of each scope kept whatever their age. */
  readonly runsKeepPerScope: number;
  /** Dead-letter decisions (and webhook delivery rows of earlier versions) recorded longer ago are deleted; 0 keeps them forever. */
  readonly deliveriesDays: number;
}

export interface PruneOutcome {
  readonly runs: number;
  readonly deliveries: number;
}

/** Retention for the tables that only grow (Tables has no TTL): old runs and old dead-letter decisions. */
export class PruneHistory {
  constructor(
    private readonly deps: {
      readonly metadata: SyncRunRepo & DeliveryRepo;
      readonly clock: Clock;
      readonly settings: RetentionSettings;
    },
  ) {}

  async execute(): Promise<PruneOutcome> {
    const { metadata, clock, settings } = this.deps;
    const now = clock.now().getTime();
    const runs =
      settings.runsDays > 0
        ? await metadata.deleteRunsBefore(new Date(now - settings.runsDays * DAY_MS), {
            keepNewestPerScope: settings.runsKeepPerScope,
          })
        : 0;
    const deliveries =
      settings.deliveriesDays > 0
        ? await metadata.deleteDeliveriesBefore(new Date(now - settings.deliveriesDays * DAY_MS))
        : 0;
    return { runs, deliveries };
  }
}
