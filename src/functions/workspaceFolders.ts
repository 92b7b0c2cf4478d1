import { z } from 'zod';
import { CREATE_FOLDER_FAILURES, DELETE_FOLDER_FAILURES, MOVE_FAILURES } from '../domain/workspace/EditFailures';
import type { EditWorkspace } from '../domain/workspace/EditWorkspace';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { readJson, readQuery } from './http/readJson';
import { workspaceProblem, workspaceProblems } from './http/workspaceProblem';

const folderQuery = z.object({
  path: z.string().min(1).max(4096).describe('folder path relative to the scope folder'),
});
const deleteFolderQuery = folderQuery.extend({ recursive: z.enum(['true', 'false']).default('false') });
const moveBody = z
  .object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096), overwrite: z.boolean().default(false) })
  .strict();

/** Creates a folder (and its parents); an existing folder is fine. */
export const createWorkspaceFolderFunction = defineApiRoute({
  name: 'createWorkspaceFolder',
  route: 'workspace/folders',
  methods: ['POST'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Create a folder',
    tags: ['workspace'],
    query: folderQuery,
    responses: {
      200: {
        description: 'The folder was already there',
        schema: z.object({ path: z.string(), created: z.literal(false) }),
      },
      201: { description: 'Created', schema: z.object({ path: z.string(), created: z.literal(true) }) },
      ...workspaceProblems(CREATE_FOLDER_FAILURES, {
        400: { description: 'Bad query or path', problems: ['InvalidQuery'] },
      }),
    },
  },
  build: (container) => {
    const workspace: EditWorkspace = container.get(TYPES.EditWorkspace);
    return async (request, context) => {
      const query = readQuery(request, folderQuery);
      if (!query.ok) return query.response;
      const created = await workspace.createFolder(context.scope, query.value.path);
      if (!created.ok) return workspaceProblem(created);
      return {
        status: created.value.created ? 201 : 200,
        jsonBody: { path: query.value.path, created: created.value.created },
      };
    };
  },
});

/** Deletes a folder; a non-empty one only with recursive=true. */
export const deleteWorkspaceFolderFunction = defineApiRoute({
  name: 'deleteWorkspaceFolder',
  route: 'workspace/folders',
  methods: ['DELETE'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Delete a folder (recursive=true for a non-empty one)',
    tags: ['workspace'],
    query: deleteFolderQuery,
    responses: {
      200: { description: 'Deleted', schema: z.object({ path: z.string(), removedFiles: z.number().int() }) },
      ...workspaceProblems(DELETE_FOLDER_FAILURES, {
        400: { description: 'Bad query or path', problems: ['InvalidQuery'] },
      }),
    },
  },
  build: (container) => {
    const workspace: EditWorkspace = container.get(TYPES.EditWorkspace);
    return async (request, context) => {
      const query = readQuery(request, deleteFolderQuery);
      if (!query.ok) return query.response;
      const deleted = await workspace.deleteFolder(context.scope, query.value.path, {
        recursive: query.value.recursive === 'true',
      });
      if (!deleted.ok) return workspaceProblem(deleted);
      context.log.info({ path: query.value.path, removedFiles: deleted.value.removedFiles }, 'folder deleted');
      return { status: 200, jsonBody: { path: query.value.path, removedFiles: deleted.value.removedFiles } };
    };
  },
});

/** Renames or moves a file or folder inside the scope. */
export const moveWorkspaceEntryFunction = defineApiRoute({
  name: 'moveWorkspaceEntry',
  route: 'workspace/move',
  methods: ['POST'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Rename or move a file or folder (If-Match guards a file move)',
    tags: ['workspace'],
    headers: [{ name: 'If-Match', description: 'the ETag the moved file must still have' }],
    body: { schema: moveBody, required: true },
    responses: {
      200: {
        description: 'Moved',
        schema: z.object({
          from: z.string(),
          to: z.string(),
          kind: z.enum(['file', 'directory']),
          replaced: z.boolean(),
        }),
      },
      ...workspaceProblems(MOVE_FAILURES, {
        400: { description: 'Bad request or path', problems: ['InvalidJson', 'ValidationFailed'] },
        413: { description: 'Body too large', problems: ['PayloadTooLarge'] },
      }),
    },
  },
  build: (container) => {
    const workspace: EditWorkspace = container.get(TYPES.EditWorkspace);
    return async (request, context) => {
      const body = await readJson(request, moveBody, 64 * 1024);
      if (!body.ok) return body.response;
      const ifMatch = request.headers.get('if-match')?.trim();
      const moved = await workspace.move(context.scope, body.value.from, body.value.to, {
        overwrite: body.value.overwrite,
        ...(ifMatch ? { ifMatch } : {}),
      });
      if (!moved.ok) return workspaceProblem(moved);
      context.log.info({ from: body.value.from, to: body.value.to }, 'moved');
      return { status: 200, jsonBody: { from: body.value.from, to: body.value.to, ...moved.value } };
    };
  },
});
