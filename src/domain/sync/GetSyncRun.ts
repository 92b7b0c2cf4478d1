import type { SyncRunRepo } from '../../ports/SyncRunRepo';
import { isAllowed, type Principal } from '../shared/Principal';
import type { SyncRun } from './SyncRun';

/** Every code reading a run can fail with: the result type and the route's documentation both derive from it. */
export const GET_SYNC_RUN_FAILURES = ['NotFound'] as const;

export type GetSyncRunResult =
  | { readonly ok: true; readonly run: SyncRun }
  | { readonly ok: false; readonly code: (typeof GET_SYNC_RUN_FAILURES)[number]; readonly message: string };

/** Run ids as stores key them; anything else names no run and is not looked up. */
const RUN_ID = /^[A-Za-z0-9._~-]{1,200}$/;

/** One sync run. A run of a scope the caller may not read is answered as not found: its existence is not theirs to learn. */
export class GetSyncRun {
  constructor(private readonly deps: { readonly metadata: SyncRunRepo }) {}

  async execute(principal: Principal, id: string): Promise<GetSyncRunResult> {
    const run = RUN_ID.test(id) ? await this.deps.metadata.getRun(id) : null;
    if (!run || !isAllowed(principal, 'read', run.scope))
      return { ok: false, code: 'NotFound', message: `no sync run ${id.slice(0, 100)}` };
    return { ok: true, run };
  }
}
