import type { OpenedBackup, WorkspaceBackups } from '../../ports/WorkspaceBackups';
import type { Scope } from '../shared/Scope';

/** Every code opening a backup can fail with: the result type and the route's documentation both derive from it. */
export const OPEN_SCOPE_BACKUP_FAILURES = ['NotFound'] as const;

export type OpenScopeBackupResult =
  | { readonly ok: true; readonly backup: OpenedBackup }
  | { readonly ok: false; readonly code: (typeof OPEN_SCOPE_BACKUP_FAILURES)[number]; readonly message: string };

/**
 * One backup of a scope, opened for download. Another scope's backup is answered exactly like a
 * missing one (and closed unread): ids do not let a caller reach past the scope they may read.
 */
export class OpenScopeBackup {
  constructor(private readonly deps: { readonly backups: WorkspaceBackups }) {}

  async execute(scope: Scope, id: string): Promise<OpenScopeBackupResult> {
    const opened = await this.deps.backups.open(id);
    if (opened && opened.info.scope === scope) return { ok: true, backup: opened };
    if (opened) await opened.content[Symbol.asyncIterator]().return?.();
    return { ok: false, code: 'NotFound', message: `no backup ${id.slice(0, 100)} of ${scope}` };
  }
}
