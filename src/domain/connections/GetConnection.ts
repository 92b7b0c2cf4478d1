import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { Scope } from '../shared/Scope';
import type { Connection } from './Connection';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from './ConnectionFailure';

/** Every code reading a connection can fail with: the result type and the route's documentation both derive from it. */
export const GET_CONNECTION_FAILURES = ['NotConnected'] as const satisfies readonly ConnectionFailureCode[];

export type GetConnectionResult =
  | { readonly ok: true; readonly connection: Connection }
  | ConnectionFailure<(typeof GET_CONNECTION_FAILURES)[number]>;

/** A scope's connection; the caller's right to read the scope was checked before. */
export class GetConnection {
  constructor(private readonly deps: { readonly metadata: ConnectionRepo }) {}

  async execute(scope: Scope): Promise<GetConnectionResult> {
    const connection = await this.deps.metadata.getConnection(scope);
    return connection ? { ok: true, connection } : failure('NotConnected', `${scope} is not connected to GitHub`);
  }
}
