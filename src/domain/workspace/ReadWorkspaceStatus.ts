import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { FileStore } from '../../ports/FileStore';
import type { Connection } from '../connections/Connection';
import { type Scope, scopeFolder } from '../shared/Scope';
import { type WorkspaceStatus, workspaceStatus } from './WorkspaceStatus';

export interface ScopeStatus extends WorkspaceStatus {
  readonly scope: Scope;
  readonly connection: Connection | null;
}

/** A scope's mode, connection and folder size at a glance; the caller's right to read the scope was checked before. */
export class ReadWorkspaceStatus {
  constructor(private readonly deps: { readonly metadata: ConnectionRepo; readonly files: FileStore }) {}

  async execute(scope: Scope): Promise<ScopeStatus> {
    const [connection, entries] = await Promise.all([
      this.deps.metadata.getConnection(scope),
      this.deps.files.list(scopeFolder(scope), { recursive: true }),
    ]);
    return { scope, connection, ...workspaceStatus(connection, entries) };
  }
}
