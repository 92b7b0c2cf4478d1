import type { Connection } from '../../../src/domain/connections/Connection';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';

/**
 * A valid, enabled connection of GLOBAL to `acme/scripts@main` (whole repository, webhook set up
 * by hand, secrets under TOKEN and WEBHOOK_SECRET). Tests override only what they are about.
 */
export function aConnection(overrides: Partial<Connection> = {}): Connection {
  return {
    scope: GLOBAL_SCOPE,
    repository: 'acme/scripts',
    branch: 'main',
    subPath: '',
    tokenRef: 'TOKEN',
    webhookSecretRef: 'WEBHOOK_SECRET',
    enabled: true,
    webhook: { mode: 'manual' },
    createdAt: new Date('2025-01-01T00:00:00.000Z'),
    updatedAt: new Date('2025-01-01T00:00:00.000Z'),
    ...overrides,
  };
}
