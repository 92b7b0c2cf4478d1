import { RandomIdGenerator } from '../adapters/system/RandomIdGenerator';
import type { Connection } from '../domain/connections/Connection';
import { holdScope } from '../domain/connections/HoldScope';
import type { Clock } from '../ports/Clock';
import type { IdGenerator } from '../ports/IdGenerator';
import type { Logger } from '../ports/Logger';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { ConnectionSeed } from './connectionSeeds';

export interface SeedOutcome {
  /** The declared connections, as saved. */
  readonly declared: Connection[];
  /** Connections an earlier start declared and this configuration does not: removed, files kept. */
  readonly removed: Connection[];
  /** Undeclared ones a running sync holds: left for the next start to remove. */
  readonly busy: Connection[];
}

/**
 * Makes the store follow the declared connections. Declared ones are upserted, keeping what the
 * store learned about them (last sync, deletions); a declared connection's webhook is set up by
 * whoever declared it, so a new one is manual. Connections an earlier configuration declared and
 * this one does not are removed with their manifest (their files stay, editable by hand again), as
 * disconnecting would, but their secrets stay: configuration named them, and may still use them.
 * Connections made through the API are never touched.
 */
export async function seedConnections(
  metadata: MetadataRepo,
  seeds: readonly ConnectionSeed[],
  clock: Clock,
  ids: IdGenerator = new RandomIdGenerator(),
): Promise<SeedOutcome> {
  const now = clock.now();
  const declared: Connection[] = [];
  for (const seed of seeds) {
    const existing = await metadata.getConnection(seed.scope);
    const sameTarget =
      existing &&
      existing.repository === seed.repository &&
      existing.branch === seed.branch &&
      existing.subPath === seed.subPath;
    const unchanged =
      sameTarget &&
      existing.tokenRef === seed.tokenRef &&
      existing.webhookSecretRef === seed.webhookSecretRef &&
      existing.enabled === seed.enabled &&
      existing.source === 'configuration';
    const connection: Connection = sameTarget
      ? { ...existing, ...seed, source: 'configuration', updatedAt: unchanged ? existing.updatedAt : now }
      : {
          ...seed,
          source: 'configuration',
          webhook: existing?.repository === seed.repository ? existing.webhook : { mode: 'manual' },
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
    await metadata.saveConnection(connection);
    declared.push(connection);
  }

  const stillDeclared = new Set<string>(seeds.map((seed) => seed.scope));
  const removed: Connection[] = [];
  const busy: Connection[] = [];
  for (const connection of await metadata.listConnections()) {
    if (connection.source !== 'configuration' || stillDeclared.has(connection.scope)) continue;
    // Held like a disconnect, so no sync of the scope runs across the removal.
    const outcome = await holdScope({ metadata, clock, ids }, connection.scope, async () => {
      const latest = await metadata.getConnection(connection.scope);
      if (latest?.source !== 'configuration') return false; // connected through the API meanwhile
      await metadata.deleteManifest(connection.scope);
      await metadata.deleteConnection(connection.scope);
      return true;
    });
    if (!outcome.held) busy.push(connection);
    else if (outcome.value) removed.push(connection);
  }
  return { declared, removed, busy };
}

/** Says at start what the reconcile of declared connections changed, so nobody wonders why a scope is editable again. */
export function reportSeedOutcome(outcome: SeedOutcome, logger: Logger): void {
  for (const connection of outcome.removed) {
    logger.warn(
      { scope: connection.scope, repository: connection.repository },
      `connection of ${connection.scope} removed: CONNECTIONS/CONNECTIONS_FILE no longer declare it; its files stay and are editable by hand`,
    );
  }
  for (const connection of outcome.busy) {
    logger.warn(
      { scope: connection.scope },
      `connection of ${connection.scope} is no longer declared but a sync holds the scope: the next start removes it`,
    );
  }
}
