import type { Scope } from '../shared/Scope';
import type { Connection, SyncOutcome } from './Connection';

/** What an API may show about a connection: no secret references, dates as ISO 8601 text. */
export interface ConnectionView {
  readonly scope: Scope;
  readonly repository: string;
  readonly branch: string;
  readonly subPath: string;
  readonly enabled: boolean;
  readonly webhook: { readonly mode: 'automatic'; readonly id: number } | { readonly mode: 'manual' };
  readonly lastSyncedCommit: string | null;
  readonly lastSyncOutcome: SyncOutcome | null;
  readonly lastSyncAt: string | null;
  readonly branchDeletedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function connectionView(connection: Connection): ConnectionView {
  return {
    scope: connection.scope,
    repository: connection.repository,
    branch: connection.branch,
    subPath: connection.subPath,
    enabled: connection.enabled,
    webhook:
      connection.webhook.mode === 'automatic' ? { mode: 'automatic', id: connection.webhook.id } : { mode: 'manual' },
    lastSyncedCommit: connection.lastSyncedCommit ?? null,
    lastSyncOutcome: connection.lastSyncOutcome ?? null,
    lastSyncAt: connection.lastSyncAt?.toISOString() ?? null,
    branchDeletedAt: connection.branchDeletedAt?.toISOString() ?? null,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
