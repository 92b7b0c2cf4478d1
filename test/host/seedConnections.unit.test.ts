import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import type { Scope } from '../../src/domain/Scope';
import type { ConnectionSeed } from '../../src/host/connectionSeeds';
import { seedConnections } from '../../src/host/seedConnections';

const seed: ConnectionSeed = { scope: 'org-1' as Scope, repository: 'acme/scripts', branch: 'main', subPath: '', tokenRef: 'T', webhookSecretRef: 'W', enabled: true };
const T1 = new Date('2025-01-01T00:00:00Z');
const T2 = new Date('2025-02-01T00:00:00Z');

describe('seedConnections', () => {
  it('creates a declared connection with a manual webhook, created and updated now', async () => {
    const metadata = new InMemoryMetadataRepo();
    const [saved] = await seedConnections(metadata, [seed], T1);
    expect(saved).toEqual({ ...seed, webhook: { mode: 'manual' }, createdAt: T1, updatedAt: T1 });
    expect(await metadata.getConnection(seed.scope)).toEqual(saved);
  });

  it('keeps what the store learned, and the times, when the declaration did not change', async () => {
    const metadata = new InMemoryMetadataRepo();
    await seedConnections(metadata, [seed], T1);
    const learned = { ...(await metadata.getConnection(seed.scope))!, webhook: { mode: 'automatic' as const, id: 5 }, lastSyncedCommit: 'c'.repeat(40) };
    await metadata.saveConnection(learned);
    expect(await seedConnections(metadata, [seed], T2)).toEqual([learned]);
    expect(await seedConnections(metadata, [{ ...seed, enabled: false }], T2)).toEqual([{ ...learned, enabled: false, updatedAt: T2 }]);
  });

  it('starts over on another target, keeping the creation time and, for the same repository, the webhook', async () => {
    const metadata = new InMemoryMetadataRepo();
    await seedConnections(metadata, [seed], T1);
    await metadata.saveConnection({ ...(await metadata.getConnection(seed.scope))!, webhook: { mode: 'automatic', id: 5 }, lastSyncedCommit: 'c'.repeat(40) });
    const [moved] = await seedConnections(metadata, [{ ...seed, branch: 'release' }], T2);
    expect(moved).toEqual({ ...seed, branch: 'release', webhook: { mode: 'automatic', id: 5 }, createdAt: T1, updatedAt: T2 });
    const [elsewhere] = await seedConnections(metadata, [{ ...seed, repository: 'acme/other' }], T2);
    expect(elsewhere).toMatchObject({ repository: 'acme/other', webhook: { mode: 'manual' }, createdAt: T1 });
  });
});
