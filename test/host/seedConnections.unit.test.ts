import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import type { Connection } from '../../src/domain/connections/Connection';
import type { Scope } from '../../src/domain/shared/Scope';
import type { ConnectionSeed } from '../../src/host/connectionSeeds';
import { seedConnections } from '../../src/host/seedConnections';
import { ManualClock } from '../doubles/ManualClock';

const seed: ConnectionSeed = {
  scope: 'org-1' as Scope,
  repository: 'acme/scripts',
  branch: 'main',
  subPath: '',
  tokenRef: 'T',
  webhookSecretRef: 'W',
  enabled: true,
};
const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-02-01T00:00:00Z';

/** Seeds as a start at `at` would, returning what was saved. */
async function seedAt(metadata: InMemoryMetadataRepo, seeds: readonly ConnectionSeed[], at: string) {
  return seedConnections(metadata, seeds, new ManualClock(at));
}

describe('seedConnections', () => {
  it('creates a declared connection with a manual webhook, created and updated now, marked as from configuration', async () => {
    const metadata = new InMemoryMetadataRepo();
    const {
      declared: [saved],
    } = await seedAt(metadata, [seed], T1);
    expect(saved).toEqual({
      ...seed,
      source: 'configuration',
      webhook: { mode: 'manual' },
      createdAt: new Date(T1),
      updatedAt: new Date(T1),
    });
    expect(await metadata.getConnection(seed.scope)).toEqual(saved);
  });

  it('keeps what the store learned, and the times, when the declaration did not change', async () => {
    const metadata = new InMemoryMetadataRepo();
    await seedAt(metadata, [seed], T1);
    const learned = {
      ...(await metadata.getConnection(seed.scope))!,
      webhook: { mode: 'automatic' as const, id: 5 },
      lastSyncedCommit: 'c'.repeat(40),
    };
    await metadata.saveConnection(learned);
    expect((await seedAt(metadata, [seed], T2)).declared).toEqual([learned]);
    expect((await seedAt(metadata, [{ ...seed, enabled: false }], T2)).declared).toEqual([
      { ...learned, enabled: false, updatedAt: new Date(T2) },
    ]);
  });

  it('starts over on another target, keeping the creation time and, for the same repository, the webhook', async () => {
    const metadata = new InMemoryMetadataRepo();
    await seedAt(metadata, [seed], T1);
    await metadata.saveConnection({
      ...(await metadata.getConnection(seed.scope))!,
      webhook: { mode: 'automatic', id: 5 },
      lastSyncedCommit: 'c'.repeat(40),
    });
    const {
      declared: [moved],
    } = await seedAt(metadata, [{ ...seed, branch: 'release' }], T2);
    expect(moved).toEqual({
      ...seed,
      source: 'configuration',
      branch: 'release',
      webhook: { mode: 'automatic', id: 5 },
      createdAt: new Date(T1),
      updatedAt: new Date(T2),
    });
    const {
      declared: [elsewhere],
    } = await seedAt(metadata, [{ ...seed, repository: 'acme/other' }], T2);
    expect(elsewhere).toMatchObject({ repository: 'acme/other', webhook: { mode: 'manual' }, createdAt: new Date(T1) });
  });

  it('removes a connection configuration no longer declares, with its manifest, so the scope is editable by hand again', async () => {
    const metadata = new InMemoryMetadataRepo();
    const other = { ...seed, scope: 'org-2' as Scope };
    await seedAt(metadata, [seed, other], T1);
    await metadata.saveManifest({ scope: seed.scope, commitSha: 'c'.repeat(40), entries: new Map() });
    const outcome = await seedAt(metadata, [other], T2);
    expect(outcome.removed.map((connection) => connection.scope)).toEqual([seed.scope]);
    expect(outcome.busy).toEqual([]);
    expect(await metadata.getConnection(seed.scope)).toBeNull();
    expect(await metadata.getManifest(seed.scope)).toBeNull();
    expect(await metadata.getConnection(other.scope)).not.toBeNull();
    // Nothing declared at all: the last declared one goes too.
    expect((await seedAt(metadata, [], T2)).removed.map((connection) => connection.scope)).toEqual([other.scope]);
  });

  it('leaves connections made through the API alone, declared or not', async () => {
    const metadata = new InMemoryMetadataRepo();
    const viaApi: Connection = {
      ...seed,
      scope: 'org-api' as Scope,
      webhook: { mode: 'automatic', id: 7 },
      createdAt: new Date(T1),
      updatedAt: new Date(T1),
    };
    await metadata.saveConnection(viaApi);
    expect((await seedAt(metadata, [], T2)).removed).toEqual([]);
    expect(await metadata.getConnection(viaApi.scope)).toEqual(viaApi);
  });

  it('keeps an undeclared connection whose scope a sync holds, and says so; the next start removes it', async () => {
    const metadata = new InMemoryMetadataRepo();
    await seedAt(metadata, [seed], T1);
    const clock = new ManualClock(T2);
    const held = await metadata.acquireLease(seed.scope, 'a sync', clock.now(), 60_000);
    expect(held.kind).toBe('acquired');
    const outcome = await seedConnections(metadata, [], clock);
    expect(outcome).toMatchObject({ removed: [], busy: [expect.objectContaining({ scope: seed.scope })] });
    expect(await metadata.getConnection(seed.scope)).not.toBeNull();
    clock.advance(120_000);
    expect((await seedConnections(metadata, [], clock)).removed.map((connection) => connection.scope)).toEqual([
      seed.scope,
    ]);
  });
});
