import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { parseScope, type Scope } from '../domain/shared/Scope';
import { GET_SYNC_RUN_FAILURES } from '../domain/sync/GetSyncRun';
import { LIST_SYNC_RUNS_FAILURES, type ListSyncRunsFailureCode } from '../domain/sync/ListSyncRuns';
import { QUEUE_MANUAL_SYNC_FAILURES } from '../domain/sync/QueueManualSync';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { connectionProblem, connectionProblems } from './http/connectionProblem';
import { problem } from './http/problem';
import { problemsByStatus } from './http/problemDocs';
import { readQuery } from './http/readJson';
import { scopeName } from './schemas/common';
import { syncRunView, toSyncRunView } from './schemas/syncRunView';

/** One status per failure of the run queries, in one place. */
const LIST_STATUS: Record<ListSyncRunsFailureCode, number> = {
  ScopeRequired: 400,
  InvalidContinuationToken: 400,
  Forbidden: 403,
};
const GET_STATUS = { NotFound: 404 } as const;

const listQuery = z.object({
  scope: scopeName.optional(),
  status: z.enum(['running', 'succeeded', 'noop', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  continuationToken: z.string().min(1).max(2000).optional(),
});

/** Sync history, newest first, filtered by scope and status, a page at a time. */
export const listSyncJobsFunction = defineApiRoute({
  name: 'listSyncJobs',
  route: 'sync-jobs',
  methods: ['GET'],
  need: 'read',
  scoped: false,
  doc: {
    summary: 'List sync runs, newest first',
    description:
      'Non-admins see their organisations only: pass `scope`, or leave it out when the token names exactly one organisation.',
    tags: ['sync'],
    query: listQuery,
    responses: {
      200: {
        description: 'A page of runs; pass continuationToken back for the next',
        schema: z.object({ items: z.array(syncRunView), continuationToken: z.string().optional() }),
      },
      ...problemsByStatus(
        LIST_SYNC_RUNS_FAILURES,
        LIST_STATUS,
        (status) => (status === 403 ? 'You may not access that scope' : 'Bad filter or token'),
        {
          400: { description: 'Bad filter or token', problems: ['InvalidQuery'] },
        },
      ),
    },
  },
  build: (container) => {
    const list = container.get(TYPES.ListSyncRuns);
    return async (request, context): Promise<HttpResponseInit> => {
      const query = readQuery(request, listQuery);
      if (!query.ok) return query.response;
      const { scope, status, limit, continuationToken } = query.value;
      const result = await list.execute({
        principal: context.principal,
        limit,
        // The schema accepted the name, so it parses.
        ...(scope === undefined ? {} : { scope: parseScope(scope) as Scope }),
        ...(status === undefined ? {} : { status }),
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      if (!result.ok) return problem(LIST_STATUS[result.code], result.code, result.message);
      const { page } = result;
      return {
        status: 200,
        jsonBody: {
          items: page.runs.map(toSyncRunView),
          ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
        },
      };
    };
  },
});

/** One run; a run of a scope the caller may not see is reported as not found. */
export const getSyncJobFunction = defineApiRoute({
  name: 'getSyncJob',
  route: 'sync-jobs/{id}',
  methods: ['GET'],
  need: 'read',
  scoped: false,
  doc: {
    summary: 'Get one sync run',
    tags: ['sync'],
    responses: {
      200: { description: 'The run', schema: syncRunView },
      ...problemsByStatus(GET_SYNC_RUN_FAILURES, GET_STATUS, () => 'No such run'),
    },
  },
  build: (container) => {
    const get = container.get(TYPES.GetSyncRun);
    return async (request, context): Promise<HttpResponseInit> => {
      const result = await get.execute(context.principal, request.params.id ?? '');
      if (!result.ok) return problem(GET_STATUS[result.code], result.code, result.message);
      return { status: 200, jsonBody: toSyncRunView(result.run) };
    };
  },
});

/** Sync now: queue a manual sync of a connected scope. */
export const syncNowFunction = defineApiRoute({
  name: 'syncNow',
  route: 'github-connections/{scope}/sync',
  methods: ['POST'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Queue a sync of the scope now',
    tags: ['connections'],
    responses: {
      202: { description: 'Sync queued', schema: z.object({ message: z.string(), deliveryId: z.string() }) },
      ...connectionProblems(QUEUE_MANUAL_SYNC_FAILURES, {
        409: { description: 'The connection is disabled', problems: [] },
      }),
    },
  },
  build: (container) => {
    const queueSync = container.get(TYPES.QueueManualSync);
    return async (_request, context): Promise<HttpResponseInit> => {
      const result = await queueSync.execute(context.scope);
      if (!result.ok) return connectionProblem(result);
      context.log.info({ deliveryId: result.deliveryId }, 'manual sync queued');
      return { status: 202, jsonBody: { message: 'sync queued', deliveryId: result.deliveryId } };
    };
  },
});
