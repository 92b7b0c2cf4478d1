import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { isAllowed } from '../domain/Principal';
import { parseScope, type Scope } from '../domain/Scope';
import type { SyncRunStatus } from '../domain/SyncRun';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { readQuery } from './http/readJson';
import { scopeName } from './schemas/common';
import { syncRunView, toSyncRunView } from './schemas/syncRunView';

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
    description: 'Non-admins see their organisations only: pass `scope`, or leave it out when the token names exactly one organisation.',
    tags: ['sync'],
    query: listQuery,
    responses: {
      200: { description: 'A page of runs; pass continuationToken back for the next', schema: z.object({ items: z.array(syncRunView), continuationToken: z.string().optional() }) },
      400: { description: 'Bad filter or token', problems: ['InvalidQuery', 'InvalidContinuationToken', 'ScopeRequired'] },
    },
  },
  build: (container) => {
    const metadata = container.get(TYPES.MetadataRepo);
    return async (request, context): Promise<HttpResponseInit> => {
      const query = readQuery(request, listQuery);
      if (!query.ok) return query.response;
      const { principal } = context;
      let scope: Scope | undefined = query.value.scope === undefined ? undefined : parseScope(query.value.scope)!;
      if (scope === undefined && !principal.isAdmin) {
        const own = principal.organizations.length === 1 ? parseScope(principal.organizations[0]) : null;
        if (own === null) return problem(400, 'ScopeRequired', 'name the organisation with ?scope=…');
        scope = own;
      }
      if (scope !== undefined && !isAllowed(principal, 'read', scope)) return problem(403, 'Forbidden', `you may not access ${scope}`);
      try {
        const page = await metadata.listRuns({
          limit: query.value.limit,
          ...(scope ? { scope } : {}),
          ...(query.value.status ? { status: query.value.status as SyncRunStatus } : {}),
          ...(query.value.continuationToken ? { continuationToken: query.value.continuationToken } : {}),
        });
        return { status: 200, jsonBody: { items: page.runs.map(toSyncRunView), ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) } };
      } catch (error) {
        if (error instanceof RangeError) return problem(400, 'InvalidContinuationToken', 'the continuation token is not one this API gave out');
        throw error;
      }
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
    responses: { 200: { description: 'The run', schema: syncRunView }, 404: { description: 'No such run', problems: ['NotFound'] } },
  },
  build: (container) => {
    const metadata = container.get(TYPES.MetadataRepo);
    return async (request, context): Promise<HttpResponseInit> => {
      const id = request.params.id ?? '';
      const run = /^[A-Za-z0-9._~-]{1,200}$/.test(id) ? await metadata.getRun(id) : null;
      if (!run || !isAllowed(context.principal, 'read', run.scope)) return problem(404, 'NotFound', `no sync run ${id.slice(0, 100)}`);
      return { status: 200, jsonBody: toSyncRunView(run) };
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
      404: { description: 'The scope is not connected', problems: ['NotConnected'] },
      409: { description: 'The connection is disabled', problems: ['ConnectionDisabled'] },
    },
  },
  build: (container) => {
    const metadata = container.get(TYPES.MetadataRepo);
    const queue = container.get(TYPES.CommandQueue);
    const clock = container.get(TYPES.Clock);
    return async (_request, context): Promise<HttpResponseInit> => {
      const scope = context.scope!;
      const connection = await metadata.getConnection(scope);
      if (!connection) return problem(404, 'NotConnected', `${scope} is not connected to GitHub`);
      if (!connection.enabled) return problem(409, 'ConnectionDisabled', `the connection of ${scope} is disabled; enable it first`);
      const deliveryId = `manual:${globalThis.crypto.randomUUID()}`;
      await queue.send({ scope, trigger: 'manual', deliveryId, requestedAt: clock.now().toISOString() });
      context.log.info({ deliveryId }, 'manual sync queued');
      return { status: 202, jsonBody: { message: 'sync queued', deliveryId } };
    };
  },
});
