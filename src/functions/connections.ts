import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { connectionView as toConnectionView } from '../domain/connections/ConnectionView';
import { CONNECT_SCOPE_FAILURES, type ConnectScope } from '../domain/connections/ConnectScope';
import { DISCONNECT_SCOPE_FAILURES, type DisconnectScope } from '../domain/connections/DisconnectScope';
import { GET_CONNECTION_FAILURES } from '../domain/connections/GetConnection';
import { PREVIEW_SYNC_FAILURES, type PreviewSync } from '../domain/connections/PreviewSync';
import { UPDATE_CONNECTION_FAILURES, type UpdateConnection } from '../domain/connections/UpdateConnection';
import type { SyncRequest } from '../domain/sync/RequestSync';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { connectionProblem, connectionProblems } from './http/connectionProblem';
import { readJson } from './http/readJson';
import { connectionView } from './schemas/connectionSchemas';

// A line break or control character cannot go into an Authorization header: such a token is a
// paste mistake, not GitHub being unavailable. Surrounding whitespace is dropped for the same reason.
const token = z
  .string()
  .trim()
  .min(1)
  .max(1000)
  .regex(/^[\x21-\x7e]+$/, 'a GitHub token is printable ASCII without spaces or line breaks')
  .describe('GitHub token that can read the repository (stored in the secret store, never returned)');
const createBody = z
  .object({
    repository: z.string().min(3).max(201).describe('owner/name'),
    branch: z.string().min(1).max(255),
    subPath: z.string().max(1024).default('').describe("folder of the repository to mirror; '' = all of it"),
    token,
    confirmOverwrite: z
      .boolean()
      .default(false)
      .describe('required when the scope folder already holds files: they will be replaced or deleted'),
  })
  .strict();
const updateBody = z
  .object({
    branch: z.string().min(1).max(255).optional(),
    subPath: z.string().max(1024).optional(),
    enabled: z.boolean().optional(),
    token: token.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'name at least one of branch, subPath, enabled, token');
const proposedBody = z
  .object({
    repository: z.string().min(3).max(201),
    branch: z.string().min(1).max(255),
    subPath: z.string().max(1024).default(''),
    token,
  })
  .strict();

const syncRequestView = z.union([
  z.object({ queued: z.literal(true), deliveryId: z.string() }),
  z.object({ queued: z.literal(false), reason: z.string() }),
]);
const webhookSetupView = z.union([
  z.object({ mode: z.literal('automatic'), id: z.number().int() }),
  z.object({
    mode: z.literal('manual'),
    url: z.string(),
    secret: z.string().describe('shown only in this answer'),
    reason: z.string(),
  }),
]);
const previewView = z.object({
  scope: z.string(),
  repository: z.string(),
  branch: z.string(),
  subPath: z.string(),
  commitSha: z.string(),
  upToDate: z.boolean(),
  newFiles: z.array(z.string()),
  overwrittenFiles: z.array(z.string()),
  deletedFiles: z.array(z.string()),
  removedFolders: z.array(z.string()),
  unchanged: z.number().int(),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  bytesToWrite: z.number().int(),
});

/** Problems of every route with a JSON body, besides those of the use case. */
const BODY_PROBLEMS = {
  400: { description: 'Bad request', problems: ['InvalidJson', 'ValidationFailed'] },
  413: { description: 'Body too large', problems: ['PayloadTooLarge'] },
};

const syncJson = (sync: SyncRequest | null) => (sync === null ? null : { ...sync });

/**
 * The service's own public address, for webhook URLs: PUBLIC_BASE_URL (required with Entra ID), else
 * where this request arrived, which the development identity accepts only on a loopback name.
 */
function baseUrlOf(request: HttpRequest, configured: string | undefined): string {
  return configured ?? new URL(request.url).origin;
}

export const listConnectionsFunction = defineApiRoute({
  name: 'listConnections',
  route: 'github-connections',
  methods: ['GET'],
  need: 'read',
  scoped: false,
  doc: {
    summary: 'List connections (admins: all; others: their organisations)',
    tags: ['connections'],
    responses: { 200: { description: 'Connections', schema: z.object({ items: z.array(connectionView) }) } },
  },
  build: (container) => {
    const list = container.get(TYPES.ListConnections);
    return async (_request, context): Promise<HttpResponseInit> => {
      const visible = await list.execute(context.principal);
      return { status: 200, jsonBody: { items: visible.map(toConnectionView) } };
    };
  },
});

export const createConnectionFunction = defineApiRoute({
  name: 'createConnection',
  route: 'github-connections',
  methods: ['POST'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Connect the scope (X-Organization-Id; absent = GLOBAL) to a GitHub branch',
    description:
      'Checks the token, repository, branch and sub-path with GitHub first. Registers the push webhook when the token may manage hooks; otherwise the answer carries the URL and secret to register by hand, shown only once. Queues the first sync.',
    tags: ['connections'],
    body: { schema: createBody, required: true },
    responses: {
      201: {
        description: 'Connected',
        schema: z.object({ connection: connectionView, webhook: webhookSetupView, sync: syncRequestView }),
      },
      ...connectionProblems(CONNECT_SCOPE_FAILURES, BODY_PROBLEMS),
    },
  },
  build: (container) => {
    const connect: ConnectScope = container.get(TYPES.ConnectScope);
    const configured = container.get(TYPES.Config).PUBLIC_BASE_URL;
    return async (request, context): Promise<HttpResponseInit> => {
      const body = await readJson(request, createBody, 16 * 1024);
      if (!body.ok) return body.response;
      const result = await connect.execute({
        scope: context.scope,
        ...body.value,
        webhookBaseUrl: baseUrlOf(request, configured),
      });
      if (!result.ok) return connectionProblem(result);
      context.log.info(
        { repository: result.connection.repository, branch: result.connection.branch, webhook: result.webhook.mode },
        'scope connected',
      );
      return {
        status: 201,
        jsonBody: {
          connection: toConnectionView(result.connection),
          webhook: result.webhook,
          sync: syncJson(result.sync),
        },
      };
    };
  },
});

export const getConnectionFunction = defineApiRoute({
  name: 'getConnection',
  route: 'github-connections/{scope}',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: "Get the scope's connection",
    tags: ['connections'],
    responses: {
      200: { description: 'The connection', schema: connectionView },
      ...connectionProblems(GET_CONNECTION_FAILURES),
    },
  },
  build: (container) => {
    const get = container.get(TYPES.GetConnection);
    return async (_request, context): Promise<HttpResponseInit> => {
      const result = await get.execute(context.scope);
      if (!result.ok) return connectionProblem(result);
      return { status: 200, jsonBody: toConnectionView(result.connection) };
    };
  },
});

export const updateConnectionFunction = defineApiRoute({
  name: 'updateConnection',
  route: 'github-connections/{scope}',
  methods: ['PATCH'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Change branch, sub-path, enabled flag, or rotate the token',
    tags: ['connections'],
    body: { schema: updateBody, required: true },
    responses: {
      200: {
        description:
          'Updated; a sync is queued when the branch or sub-path changed or the connection was enabled again',
        schema: z.object({ connection: connectionView, sync: syncRequestView.nullable() }),
      },
      ...connectionProblems(UPDATE_CONNECTION_FAILURES, BODY_PROBLEMS),
    },
  },
  build: (container) => {
    const update: UpdateConnection = container.get(TYPES.UpdateConnection);
    return async (request, context): Promise<HttpResponseInit> => {
      const body = await readJson(request, updateBody, 16 * 1024);
      if (!body.ok) return body.response;
      const { token: newToken, ...rest } = body.value;
      const result = await update.execute({
        scope: context.scope,
        ...rest,
        ...(newToken === undefined ? {} : { token: newToken }),
      });
      if (!result.ok) return connectionProblem(result);
      context.log.info(
        { changed: Object.keys(body.value), tokenRotated: newToken !== undefined },
        'connection updated',
      );
      return {
        status: 200,
        jsonBody: { connection: toConnectionView(result.connection), sync: syncJson(result.sync) },
      };
    };
  },
});

export const deleteConnectionFunction = defineApiRoute({
  name: 'deleteConnection',
  route: 'github-connections/{scope}',
  methods: ['DELETE'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Disconnect the scope; its files stay and become editable',
    tags: ['connections'],
    responses: {
      200: {
        description: 'Disconnected; what became of the webhook and of the secrets connecting stored',
        schema: z.object({
          connection: connectionView,
          webhook: z.union([
            z.object({ kind: z.literal('removed'), id: z.number().int() }),
            z.object({ kind: z.literal('not-removed'), id: z.number().int(), reason: z.string() }),
            z.object({ kind: z.literal('manual'), message: z.string() }),
          ]),
          secrets: z
            .object({
              removed: z.array(z.string()).describe('secret references deleted from the secret store'),
              kept: z
                .array(z.object({ ref: z.string(), reason: z.string() }))
                .describe(
                  'secret references left in place (declared in configuration, or the store could not delete them), and why',
                ),
            })
            .describe('references only, never values'),
        }),
      },
      ...connectionProblems(DISCONNECT_SCOPE_FAILURES),
    },
  },
  build: (container) => {
    const disconnect: DisconnectScope = container.get(TYPES.DisconnectScope);
    return async (_request, context): Promise<HttpResponseInit> => {
      const result = await disconnect.execute({ scope: context.scope });
      if (!result.ok) return connectionProblem(result);
      const { secrets } = result;
      context.log.info(
        { webhook: result.webhook.kind, secretsRemoved: secrets.removed, secretsKept: secrets.kept },
        'scope disconnected; files kept',
      );
      return {
        status: 200,
        jsonBody: { connection: toConnectionView(result.connection), webhook: result.webhook, secrets },
      };
    };
  },
});

export const previewConnectionFunction = defineApiRoute({
  name: 'previewConnection',
  route: 'github-connections/{scope}/preview',
  methods: ['POST'],
  need: 'write',
  scoped: true,
  doc: {
    summary:
      'Dry run: what connecting (body: repository, branch, subPath, token) or re-syncing (no body) would write, overwrite and delete',
    tags: ['connections'],
    body: { schema: proposedBody, required: false },
    responses: {
      200: { description: 'The plan; nothing was changed', schema: previewView },
      ...connectionProblems(PREVIEW_SYNC_FAILURES, BODY_PROBLEMS),
    },
  },
  build: (container) => {
    const preview: PreviewSync = container.get(TYPES.PreviewSync);
    return async (request, context): Promise<HttpResponseInit> => {
      const { scope } = context;
      const hasBody =
        Number(request.headers.get('content-length') ?? '0') > 0 || request.headers.has('transfer-encoding');
      let input: Parameters<PreviewSync['execute']>[0] = { scope };
      if (hasBody) {
        const body = await readJson(request, proposedBody, 16 * 1024);
        if (!body.ok) return body.response;
        input = { scope, ...body.value };
      }
      const result = await preview.execute(input);
      if (!result.ok) return connectionProblem(result);
      return { status: 200, jsonBody: result.preview };
    };
  },
});
