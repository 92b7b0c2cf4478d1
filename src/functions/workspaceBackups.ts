import { Readable } from 'node:stream';
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { OPEN_SCOPE_BACKUP_FAILURES } from '../domain/workspace/OpenScopeBackup';
import { TYPES } from '../host/identifiers';
import type { BackupInfo } from '../ports/WorkspaceBackups';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { problemsByStatus } from './http/problemDocs';
import { scopeName, timestamp } from './schemas/common';
import { archiveFileName } from './workspaceDownload';

const OPEN_STATUS = { NotFound: 404 } as const;

const backupView = z.object({
  id: z.string(),
  scope: scopeName,
  createdAt: timestamp,
  reason: z.string(),
  size: z.number().int(),
});
const toView = (backup: BackupInfo): z.infer<typeof backupView> => ({
  ...backup,
  createdAt: backup.createdAt.toISOString(),
});

/** Backups taken before syncs replaced hand-edited files of the scope. */
export const listBackupsFunction = defineApiRoute({
  name: 'listBackups',
  route: 'workspace/backups',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: "The scope's backups, newest first (taken before a sync replaced or deleted files edited by hand)",
    tags: ['workspace'],
    responses: { 200: { description: 'Backups', schema: z.object({ items: z.array(backupView) }) } },
  },
  build: (container) => {
    const backups = container.get(TYPES.WorkspaceBackups);
    return async (_request, context): Promise<HttpResponseInit> => ({
      status: 200,
      jsonBody: { items: (await backups.list(context.scope)).map(toView) },
    });
  },
});

export const downloadBackupFunction = defineApiRoute({
  name: 'downloadBackup',
  route: 'workspace/backups/{id}',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: 'Download one backup of the scope as a zip',
    tags: ['workspace'],
    responses: {
      200: { description: 'The zip; its contents are the scope folder as it was', contentType: 'application/zip' },
      ...problemsByStatus(OPEN_SCOPE_BACKUP_FAILURES, OPEN_STATUS, () => 'No such backup of this scope'),
    },
  },
  build: (container) => {
    const open = container.get(TYPES.OpenScopeBackup);
    return async (request, context): Promise<HttpResponseInit> => {
      const result = await open.execute(context.scope, request.params.id ?? '');
      if (!result.ok) return problem(OPEN_STATUS[result.code], result.code, result.message);
      const opened = result.backup;
      return {
        status: 200,
        headers: {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename=${archiveFileName(opened.info.createdAt, 'backup')}`,
          'content-length': String(opened.info.size),
        },
        body: Readable.from(opened.content, { objectMode: false }),
      };
    };
  },
});
