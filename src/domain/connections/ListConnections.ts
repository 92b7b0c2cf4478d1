import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import { isAllowed, type Principal } from '../shared/Principal';
import type { Connection } from './Connection';

/** The connections a caller may read: every one for an MSP admin, their organisations' otherwise. */
export class ListConnections {
  constructor(private readonly deps: { readonly metadata: ConnectionRepo }) {}

  async execute(principal: Principal): Promise<Connection[]> {
    const connections = await this.deps.metadata.listConnections();
    return connections.filter((connection) => isAllowed(principal, 'read', connection.scope));
  }
}
