import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { holdScope } from '../../src/domain/connections/HoldScope';
import type { Scope } from '../../src/domain/shared/Scope';
import { requestSync } from '../../src/domain/sync/RequestSync';
import { ScopeEditLock } from '../../src/domain/workspace/ScopeEditLock';
import { succeeded } from '../../src/domain/workspace/WorkspaceResult';
import { ManualClock } from '../doubles/ManualClock';
import { SequentialIdGenerator } from '../doubles/SequentialIdGenerator';
import { RecordingQueue } from '../support/connectionWorld';

const ORG = 'org-a' as Scope;

/** The ids the domain makes (lease holders, delivery ids) come from the IdGenerator it is given. */
describe('ids from the injected generator', () => {
  const world = () => ({
    metadata: new InMemoryMetadataRepo(),
    clock: new ManualClock(),
    ids: new SequentialIdGenerator('gen'),
  });

  /** Who holds the scope's lease, as another worker asking for it is told. */
  const holderOf = async (metadata: InMemoryMetadataRepo, clock: ManualClock): Promise<string> => {
    const attempt = await metadata.acquireLease(ORG, 'someone-else', clock.now(), 60_000, { markPending: false });
    return attempt.kind === 'busy' ? attempt.holder : 'nobody';
  };

  it('a connection change holds the scope as connection-change-<id>', async () => {
    const deps = world();
    const outcome = await holdScope(deps, ORG, () => holderOf(deps.metadata, deps.clock));
    expect(outcome).toEqual({ held: true, value: 'connection-change-gen-1' });
  });

  it('each edit holds the scope as <holderId>:edit:<id>, a new id per edit', async () => {
    const deps = world();
    const lock = new ScopeEditLock({ ...deps, settings: { holderId: 'host-a', leaseTtlMs: 30_000 } });
    const first = await lock.run(ORG, async () => succeeded(await holderOf(deps.metadata, deps.clock)));
    const second = await lock.run(ORG, async () => succeeded(await holderOf(deps.metadata, deps.clock)));
    expect([first, second]).toEqual([succeeded('host-a:edit:gen-1'), succeeded('host-a:edit:gen-2')]);
  });

  it('a sync asked for by a connection change is queued under <trigger>-<id>', async () => {
    const queue = new RecordingQueue();
    const deps = { ...world(), queue };
    expect(await requestSync(deps, ORG, 'connect')).toEqual({ queued: true, deliveryId: 'connect-gen-1' });
    expect(queue.sent).toEqual([
      { scope: ORG, trigger: 'connect', deliveryId: 'connect-gen-1', requestedAt: deps.clock.now().toISOString() },
    ]);
  });
});
