import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { RunningAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';
import { EmbeddedAzurite } from '../../src/adapters/azure-tables/EmbeddedAzurite';

export { EmbeddedAzurite };

/**
 * Starts one in-memory Azurite Table service for the calling test file (beforeAll) and stops it
 * afterwards. Read `connectionString` inside tests or hooks, not at module load.
 */
export function useAzurite(): { readonly connectionString: string; readonly port: number } {
  let running: RunningAzurite | undefined;
  beforeAll(async () => {
    running = await EmbeddedAzurite.start();
  });
  afterAll(async () => {
    await running?.stop();
  });
  const current = (): RunningAzurite => {
    if (running === undefined) throw new Error('Azurite is not running: use it inside tests or hooks');
    return running;
  };
  return {
    get connectionString() {
      return current().connectionString;
    },
    get port() {
      return current().port;
    },
  };
}

/** A table-name prefix no other test uses (letters and digits only, as table names require). */
export function uniqueTablePrefix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}
