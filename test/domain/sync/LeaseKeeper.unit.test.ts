import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { SystemClock } from '../../../src/adapters/system/SystemClock';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import { LeaseKeeper } from '../../../src/domain/sync/LeaseKeeper';
import { SyncFailure } from '../../../src/domain/sync/SyncFailure';
import { ManualClock } from '../../doubles/ManualClock';

const TTL_MS = 60_000;

/** Lets every pending promise continuation run; no time passes. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LeaseKeeper', () => {
  let metadata: InMemoryMetadataRepo;
  let clock: ManualClock;
  let keeper: LeaseKeeper;

  beforeEach(async () => {
    metadata = new InMemoryMetadataRepo();
    clock = new ManualClock();
    const acquired = await metadata.acquireLease(GLOBAL_SCOPE, 'worker-a', clock.now(), TTL_MS);
    if (acquired.kind !== 'acquired') throw new Error('lease not acquired');
    keeper = new LeaseKeeper(metadata, clock, acquired.lease, TTL_MS);
  });

  const expiresInMs = () => keeper.lease.expiresAt.getTime() - clock.now().getTime();

  it('keepAlive renews only once a third of the TTL has passed', async () => {
    clock.advance(TTL_MS / 3 - 1);
    await keeper.keepAlive();
    expect(expiresInMs()).toBe(TTL_MS * (2 / 3) + 1);
    clock.advance(1);
    await keeper.keepAlive();
    expect(expiresInMs()).toBe(TTL_MS);
  });

  it('keepAliveDuring renews while one long call runs, and stops when it returns', async () => {
    let finish!: (value: string) => void;
    const running = keeper.keepAliveDuring(() => new Promise<string>((resolve) => (finish = resolve)));
    for (let step = 0; step < 6; step++) {
      clock.advance(TTL_MS / 2);
      await settle();
      expect(expiresInMs()).toBeGreaterThan(0);
    }
    finish('done');
    expect(await running).toBe('done');
    const expiresAt = keeper.lease.expiresAt.getTime();
    clock.advance(TTL_MS / 2);
    await settle();
    expect(keeper.lease.expiresAt.getTime()).toBe(expiresAt); // no renewal once the call is over
  });

  it('fails the phase with LeaseLost after the call when the lease was taken meanwhile, and every later keepAlive at once', async () => {
    let finish!: () => void;
    const running = keeper.keepAliveDuring(() => new Promise<void>((resolve) => (finish = resolve)));
    clock.advance(TTL_MS + 1);
    await metadata.acquireLease(GLOBAL_SCOPE, 'worker-b', clock.now(), TTL_MS);
    await settle();
    finish();
    await expect(running).rejects.toMatchObject({ code: 'LeaseLost', retryable: true });
    await expect(keeper.keepAlive()).rejects.toBeInstanceOf(SyncFailure);
  });

  it("keepAliveDuring reports the call's own failure first", async () => {
    let fail!: (error: Error) => void;
    const running = keeper.keepAliveDuring(() => new Promise<void>((_, reject) => (fail = reject)));
    clock.advance(TTL_MS + 1);
    await metadata.acquireLease(GLOBAL_SCOPE, 'worker-b', clock.now(), TTL_MS);
    await settle();
    fail(new Error('backup failed'));
    await expect(running).rejects.toThrow('backup failed');
  });

  it('keepAliveDuring leaves no timer behind once the call returns (a one-shot process can exit)', async () => {
    const realClock = new SystemClock();
    const leases = new InMemoryMetadataRepo();
    const acquired = await leases.acquireLease(GLOBAL_SCOPE, 'worker-b', realClock.now(), TTL_MS);
    if (acquired.kind !== 'acquired') throw new Error('lease not acquired');
    const realKeeper = new LeaseKeeper(leases, realClock, acquired.lease, TTL_MS);
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    await realKeeper.keepAliveDuring(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(timers()).toBeGreaterThan(before); // the heartbeat waits while the call runs
    });
    expect(timers()).toBe(before);
  });
});
