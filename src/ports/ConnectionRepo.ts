import type { Connection } from '../domain/connections/Connection';
import type { Scope } from '../domain/shared/Scope';

/** Durable connections: which repository and branch feed each scope. */
export interface ConnectionRepo {
  getConnection(scope: Scope): Promise<Connection | null>;
  listConnections(): Promise<Connection[]>;
  /** Inserts or replaces the whole connection of its scope. */
  saveConnection(connection: Connection): Promise<void>;
  deleteConnection(scope: Scope): Promise<void>;
}
