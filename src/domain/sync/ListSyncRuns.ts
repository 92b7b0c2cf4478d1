import { InvalidContinuationTokenError, type RunPage, type SyncRunRepo } from '../../ports/SyncRunRepo';
import { isAllowed, type Principal } from '../shared/Principal';
import { parseScope, type Scope } from '../shared/Scope';
import type { SyncRunStatus } from './SyncRun';

/** Every code listing runs can fail with: the result type and the route's documentation both derive from it. */
export const LIST_SYNC_RUNS_FAILURES = ['ScopeRequired', 'Forbidden', 'InvalidContinuationToken'] as const;

export type ListSyncRunsFailureCode = (typeof LIST_SYNC_RUNS_FAILURES)[number];

export interface ListSyncRunsInput {
  readonly principal: Principal;
  readonly scope?: Scope;
  readonly status?: SyncRunStatus;
  /** 1..100. */
  readonly limit: number;
  readonly continuationToken?: string;
}

export type ListSyncRunsResult =
  | { readonly ok: true; readonly page: RunPage }
  | { readonly ok: false; readonly code: ListSyncRunsFailureCode; readonly message: string };

/**
 * Sync history, newest first, a page at a time. An MSP admin may list every scope at once; anyone
 * else lists one of their organisations: the one named, or their only one when none is named.
 */
export class ListSyncRuns {
  constructor(private readonly deps: { readonly metadata: SyncRunRepo }) {}

  async execute(input: ListSyncRunsInput): Promise<ListSyncRunsResult> {
    const { principal } = input;
    let scope = input.scope;
    if (scope === undefined && !principal.isAdmin) {
      const own = principal.organizations.length === 1 ? parseScope(principal.organizations[0]) : null;
      if (own === null) return { ok: false, code: 'ScopeRequired', message: 'name the organisation with ?scope=…' };
      scope = own;
    }
    if (scope !== undefined && !isAllowed(principal, 'read', scope))
      return { ok: false, code: 'Forbidden', message: `you may not access ${scope}` };
    try {
      const page = await this.deps.metadata.listRuns({
        limit: input.limit,
        ...(scope === undefined ? {} : { scope }),
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.continuationToken === undefined ? {} : { continuationToken: input.continuationToken }),
      });
      return { ok: true, page };
    } catch (error) {
      if (error instanceof InvalidContinuationTokenError)
        return {
          ok: false,
          code: 'InvalidContinuationToken',
          message: 'the continuation token is not one this API gave out',
        };
      throw error;
    }
  }
}
