import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import { type SyncRun, ZERO_COUNTS } from '../../../src/domain/sync/SyncRun';

/**
 * A valid push run of GLOBAL as a sync starts it (`run-1`, running, nothing counted yet). Tests
 * override only what they are about: `aSyncRun({ status: 'failed', finishedAt, error: … })`.
 */
export function aSyncRun(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 'run-1',
    scope: GLOBAL_SCOPE,
    trigger: 'push',
    deliveryId: 'delivery-1',
    status: 'running',
    startedAt: new Date('2025-01-01T00:00:00.000Z'),
    counts: ZERO_COUNTS,
    skipped: [],
    lfsPointers: [],
    sourceRequests: 0,
    ...overrides,
  };
}
