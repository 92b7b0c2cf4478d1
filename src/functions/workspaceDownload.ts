import { Readable } from 'node:stream';
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { scopeFolder } from '../domain/shared/Scope';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { readQuery } from './http/readJson';

const downloadQuery = z.object({
  all: z.enum(['true', 'false']).default('false').describe('MSP admins: the whole workspace, every scope'),
});

/** `workspace-YYYYMMDD-HHMMSS.zip` in UTC. */
export function archiveFileName(at: Date, prefix = 'workspace'): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}.zip`;
}

/** Streams a zip of the scope's folder (or, for admins, of the whole workspace) as it is packed. */
export const workspaceDownloadFunction = defineApiRoute({
  name: 'workspaceDownload',
  route: 'workspace/download',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: "Download the scope's folder as a zip (streamed)",
    tags: ['workspace'],
    query: downloadQuery,
    responses: {
      200: {
        description: 'The zip, streamed; Content-Disposition names it workspace-YYYYMMDD-HHMMSS.zip',
        contentType: 'application/zip',
      },
      400: { description: 'Bad query', problems: ['InvalidQuery'] },
      403: { description: 'all=true needs the MSP admin role', problems: ['Forbidden'] },
    },
  },
  build: (container) => {
    const archiver = container.get(TYPES.WorkspaceArchiver);
    const clock = container.get(TYPES.Clock);
    return async (request, context): Promise<HttpResponseInit> => {
      const query = readQuery(request, downloadQuery);
      if (!query.ok) return query.response;
      const all = query.value.all === 'true';
      if (all && !context.principal.isAdmin)
        return problem(403, 'Forbidden', 'downloading the whole workspace needs the MSP admin role');
      const roots = all
        ? [{ storePath: '', nameInArchive: '' }]
        : [{ storePath: scopeFolder(context.scope), nameInArchive: '' }];
      context.log.info({ all }, 'workspace download started');
      return {
        status: 200,
        headers: {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename=${archiveFileName(clock.now())}`,
          'cache-control': 'no-store',
        },
        body: Readable.from(archiver.zip(roots), { objectMode: false }),
      };
    };
  },
});
