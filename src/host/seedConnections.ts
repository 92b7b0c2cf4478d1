import type { Connection } from '../domain/Connection';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { ConnectionSeed } from './connectionSeeds';

/** Upserts declared connections, keeping what the store learned about them (last sync, deletions). */
export async function seedConnections(metadata: MetadataRepo, seeds: readonly ConnectionSeed[]): Promise<Connection[]> {
  const saved: Connection[] = [];
  for (const seed of seeds) {
    const existing = await metadata.getConnection(seed.scope);
    const sameTarget = existing && existing.repository === seed.repository && existing.branch === seed.branch && existing.subPath === seed.subPath;
    const connection: Connection = sameTarget ? { ...existing, ...seed } : { ...seed };
    await metadata.saveConnection(connection);
    saved.push(connection);
  }
  return saved;
}
