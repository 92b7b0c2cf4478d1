import type { Connection } from '../domain/Connection';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { ConnectionSeed } from './connectionSeeds';

/**
 * Upserts declared connections, keeping what the store learned about them (last sync, deletions).
 * A declared connection's webhook is set up by whoever declared it, so a new one is manual.
 */
export async function seedConnections(metadata: MetadataRepo, seeds: readonly ConnectionSeed[], now: Date = new Date()): Promise<Connection[]> {
  const saved: Connection[] = [];
  for (const seed of seeds) {
    const existing = await metadata.getConnection(seed.scope);
    const sameTarget = existing && existing.repository === seed.repository && existing.branch === seed.branch && existing.subPath === seed.subPath;
    const unchanged = sameTarget && existing.tokenRef === seed.tokenRef && existing.webhookSecretRef === seed.webhookSecretRef && existing.enabled === seed.enabled;
    const connection: Connection = sameTarget
      ? { ...existing, ...seed, updatedAt: unchanged ? existing.updatedAt : now }
      : { ...seed, webhook: existing?.repository === seed.repository ? existing.webhook : { mode: 'manual' }, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await metadata.saveConnection(connection);
    saved.push(connection);
  }
  return saved;
}
