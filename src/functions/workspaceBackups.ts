import { Readable } from 'node:stream';
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { BackupInfo } from '../ports/WorkspaceBackups';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { scopeName, timestamp } from './schemas/common';
import { archiveFileName } from './workspaceDownload';

const backupView = z.object({ id: z.string(), scope: scopeName, createdAt: timestamp, reason: z.string(), size: z.number().int() });
const toView = (backup: BackupInfo): z.infer<typeof backupView> => ({ ...backup, createdAt: backup.createdAt.toISOString() });

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
    return async (_request, context): Promise<HttpResponseInit> => ({ status: 200, jsonBody: { items: (await backups.list(context.scope!)).map(toView) } });
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
      404: { description: 'No such backup of this scope', problems: ['NotFound'] },
    },
  },
  build: (container) => {
    const backups = container.get(TYPES.WorkspaceBackups);
    return async (request, context): Promise<HttpResponseInit> => {
      const id = request.params.id ?? '';
      const opened = await backups.open(id);
      // Another scope's backup is answered exactly like a missing one.
      if (!opened || opened.info.scope !== context.scope) {
        if (opened) await drain(opened.content);
        return problem(404, 'NotFound', `no backup ${id.slice(0, 100)} of ${context.scope}`);
      }
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

/** Closes an opened backup we decided not to send. */
async function drain(content: AsyncIterable<Uint8Array>): Promise<void> {
  await content[Symbol.asyncIterator]().return?.();
}
