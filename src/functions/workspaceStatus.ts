import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { connectionView as toConnectionView } from '../domain/connections/ConnectionView';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { scopeName, timestamp } from './schemas/common';
import { connectionView } from './schemas/connectionSchemas';

const statusView = z.object({
  scope: scopeName,
  mode: z.enum(['github-sync', 'manual-edit']),
  readOnly: z.boolean(),
  connection: connectionView.nullable(),
  files: z.number().int().min(0),
  folders: z.number().int().min(0),
  totalBytes: z.number().int().min(0),
  lastModified: timestamp.nullable(),
});

/** The scope's mode, connection and size at a glance. */
export const workspaceStatusFunction = defineApiRoute({
  name: 'workspaceStatus',
  route: 'workspace/status',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: "The scope's mode (github-sync or manual-edit), connection and folder summary",
    tags: ['workspace'],
    responses: { 200: { description: 'Status', schema: statusView } },
  },
  build: (container) => {
    const read = container.get(TYPES.ReadWorkspaceStatus);
    return async (_request, context): Promise<HttpResponseInit> => {
      const status = await read.execute(context.scope);
      return {
        status: 200,
        jsonBody: {
          ...status,
          connection: status.connection ? toConnectionView(status.connection) : null,
          lastModified: status.lastModified?.toISOString() ?? null,
        } satisfies z.infer<typeof statusView>,
      };
    };
  },
});
