import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { SyncCommand } from '../../../src/domain/sync/SyncCommand';

/**
 * A valid first-attempt push command for GLOBAL, as a queue message carries it (parseSyncCommand
 * accepts it). Tests override only what they are about: `aSyncCommand({ trigger: 'manual' })`.
 */
export function aSyncCommand(overrides: Partial<SyncCommand> = {}): SyncCommand {
  return {
    scope: GLOBAL_SCOPE,
    trigger: 'push',
    deliveryId: 'delivery-1',
    requestedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}
