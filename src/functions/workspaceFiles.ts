import type { Container } from 'inversify';
import { z } from 'zod';
import {
  type BrowseWorkspace,
  LIST_WORKSPACE_FAILURES,
  READ_WORKSPACE_FILE_FAILURES,
  type WorkspaceEntry,
} from '../domain/workspace/BrowseWorkspace';
import { DELETE_FILE_FAILURES, SAVE_FILE_FAILURES } from '../domain/workspace/EditFailures';
import type { EditWorkspace, SaveOptions } from '../domain/workspace/EditWorkspace';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { jsonFileContent, readFileContent } from './http/readFileContent';
import { readQuery } from './http/readJson';
import { readPreconditions } from './http/readPreconditions';
import { workspaceProblem, workspaceProblems } from './http/workspaceProblem';
import { timestamp } from './schemas/common';

const pathQuery = z.object({ path: z.string().min(1).max(4096).describe('file path relative to the scope folder') });
const saveQuery = pathQuery.extend({
  executable: z.enum(['true', 'false']).optional().describe('raw bodies: set or clear the executable bit'),
});
const treeQuery = z.object({
  path: z.string().max(4096).default('').describe("folder relative to the scope folder; '' = the scope folder"),
  recursive: z.enum(['true', 'false']).default('false'),
});

const entryView = z.object({
  path: z.string(),
  kind: z.enum(['file', 'directory']),
  size: z.number().int(),
  lastModified: timestamp,
  executable: z.boolean(),
});
const fileView = z.object({
  path: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
  size: z.number().int(),
  lastModified: timestamp,
  etag: z.string(),
  executable: z.boolean(),
});
const savedView = z.object({
  path: z.string(),
  created: z.boolean(),
  etag: z.string(),
  size: z.number().int(),
  lastModified: timestamp,
});
const RAW_TYPES = ['application/octet-stream', 'text/plain'];
const quoted = (etag: string) => `"${etag}"`;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

const entryJson = (entry: WorkspaceEntry) => ({ ...entry, lastModified: entry.lastModified.toISOString() });

const browse = (container: Container): BrowseWorkspace => container.get(TYPES.BrowseWorkspace);
const edit = (container: Container): EditWorkspace => container.get(TYPES.EditWorkspace);

/** Lists a folder of the scope, optionally with everything below it. */
export const listWorkspaceFunction = defineApiRoute({
  name: 'listWorkspace',
  route: 'workspace/tree',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: 'List a folder of the scope (recursive on request)',
    tags: ['workspace'],
    query: treeQuery,
    responses: {
      200: {
        description: 'Entries, paths relative to the scope folder',
        schema: z.object({ path: z.string(), entries: z.array(entryView) }),
      },
      ...workspaceProblems(
        LIST_WORKSPACE_FAILURES,
        { 400: { description: 'Bad query or path', problems: ['InvalidQuery'] } },
        (status) => ({ 404: 'No such folder', 409: 'Not a folder' })[status],
      ),
    },
  },
  build: (container) => {
    const workspace = browse(container);
    return async (request, context) => {
      const query = readQuery(request, treeQuery);
      if (!query.ok) return query.response;
      const listed = await workspace.list(context.scope, query.value.path, {
        recursive: query.value.recursive === 'true',
      });
      if (!listed.ok) return workspaceProblem(listed);
      return { status: 200, jsonBody: { path: query.value.path, entries: listed.value.map(entryJson) } };
    };
  },
});

/** Reads a file: JSON with metadata, or the raw bytes when the caller accepts octet-stream or text/plain. */
export const readWorkspaceFileFunction = defineApiRoute({
  name: 'readWorkspaceFile',
  route: 'workspace/files',
  methods: ['GET'],
  need: 'read',
  scoped: true,
  doc: {
    summary: 'Read a file (JSON, or raw with Accept: application/octet-stream or text/plain)',
    tags: ['workspace'],
    query: pathQuery,
    headers: [{ name: 'Accept', description: 'application/json (default), application/octet-stream or text/plain' }],
    responses: {
      200: { description: 'The file; ETag is its content hash', schema: fileView, rawAlternatives: RAW_TYPES },
      ...workspaceProblems(
        READ_WORKSPACE_FILE_FAILURES,
        { 400: { description: 'Bad query or path', problems: ['InvalidQuery'] } },
        (status) => ({ 404: 'No such file', 409: 'A folder, not a file' })[status],
      ),
    },
  },
  build: (container) => {
    const workspace = browse(container);
    return async (request, context) => {
      const query = readQuery(request, pathQuery);
      if (!query.ok) return query.response;
      const read = await workspace.read(context.scope, query.value.path);
      if (!read.ok) return workspaceProblem(read);
      const file = read.value;
      const headers = {
        etag: quoted(file.etag),
        'last-modified': file.lastModified.toUTCString(),
        'cache-control': 'no-cache',
      };
      const accept = request.headers.get('accept') ?? '';
      const raw = RAW_TYPES.find((type) => accept.includes(type));
      if (raw) {
        return {
          status: 200,
          headers: { ...headers, 'content-type': raw === 'text/plain' ? 'text/plain; charset=utf-8' : raw },
          body: file.content,
        };
      }
      const text = asText(file.content);
      return {
        status: 200,
        headers,
        jsonBody: {
          path: query.value.path,
          encoding: text === null ? 'base64' : 'utf8',
          content: text ?? Buffer.from(file.content).toString('base64'),
          size: file.size,
          lastModified: file.lastModified.toISOString(),
          etag: file.etag,
          executable: file.executable,
        } satisfies z.infer<typeof fileView>,
      };
    };
  },
});

/** Creates or replaces a file, atomically, guarded by If-Match / If-None-Match: *. */
export const saveWorkspaceFileFunction = defineApiRoute({
  name: 'saveWorkspaceFile',
  route: 'workspace/files',
  methods: ['PUT'],
  need: 'write',
  scoped: true,
  doc: {
    summary:
      'Create or replace a file (If-Match: "<etag>" to replace a known version, If-None-Match: * to create only)',
    tags: ['workspace'],
    query: saveQuery,
    headers: [
      { name: 'If-Match', description: 'the ETag last read; the save is refused with 412 when the file changed since' },
      { name: 'If-None-Match', description: '* = create only; 412 when the file exists' },
    ],
    body: { schema: jsonFileContent, contentTypes: ['application/octet-stream', 'text/plain'], required: true },
    responses: {
      200: { description: 'Replaced', schema: savedView },
      201: { description: 'Created', schema: savedView },
      ...workspaceProblems(SAVE_FILE_FAILURES, {
        400: {
          description: 'Bad request',
          problems: ['InvalidQuery', 'InvalidJson', 'ValidationFailed', 'InvalidBase64', 'InvalidPrecondition'],
        },
        415: { description: 'Unsupported body type', problems: ['UnsupportedMediaType'] },
        503: {
          description: 'Another edit or a sync holds the scope, or too many large uploads are in progress; retry',
          problems: ['TooManyUploads'],
        },
      }),
    },
  },
  build: (container) => {
    const workspace = edit(container);
    const maxFileBytes = container.get(TYPES.Config).MAX_FILE_BYTES;
    return async (request, context) => {
      const query = readQuery(request, saveQuery);
      if (!query.ok) return query.response;
      const preconditions = readPreconditions(request);
      if ('response' in preconditions) return preconditions.response;
      const body = await readFileContent(request, maxFileBytes);
      if ('response' in body) return body.response;
      const executable =
        body.executable ?? (query.value.executable === undefined ? undefined : query.value.executable === 'true');
      const options: SaveOptions = { ...preconditions.value, ...(executable === undefined ? {} : { executable }) };
      const saved = await workspace.save(context.scope, query.value.path, body.bytes, options);
      if (!saved.ok) return workspaceProblem(saved);
      context.log.info({ path: query.value.path, size: saved.value.size, created: saved.value.created }, 'file saved');
      return {
        status: saved.value.created ? 201 : 200,
        headers: { etag: quoted(saved.value.etag) },
        jsonBody: {
          path: query.value.path,
          ...saved.value,
          lastModified: saved.value.lastModified.toISOString(),
        } satisfies z.infer<typeof savedView>,
      };
    };
  },
});

/** Deletes a file, guarded by If-Match when given. */
export const deleteWorkspaceFileFunction = defineApiRoute({
  name: 'deleteWorkspaceFile',
  route: 'workspace/files',
  methods: ['DELETE'],
  need: 'write',
  scoped: true,
  doc: {
    summary: 'Delete a file (If-Match to delete only a known version)',
    tags: ['workspace'],
    query: pathQuery,
    headers: [{ name: 'If-Match', description: 'the ETag last read' }],
    responses: {
      204: { description: 'Deleted' },
      ...workspaceProblems(DELETE_FILE_FAILURES, {
        400: { description: 'Bad query or path', problems: ['InvalidQuery', 'InvalidPrecondition'] },
      }),
    },
  },
  build: (container) => {
    const workspace = edit(container);
    return async (request, context) => {
      const query = readQuery(request, pathQuery);
      if (!query.ok) return query.response;
      const preconditions = readPreconditions(request);
      if ('response' in preconditions) return preconditions.response;
      if (preconditions.value.ifNoneMatch)
        return problem(400, 'InvalidPrecondition', 'If-None-Match does not apply to a delete');
      const deleted = await workspace.deleteFile(
        context.scope,
        query.value.path,
        preconditions.value.ifMatch ? { ifMatch: preconditions.value.ifMatch } : {},
      );
      if (!deleted.ok) return workspaceProblem(deleted);
      context.log.info({ path: query.value.path }, 'file deleted');
      return { status: 204 };
    };
  },
});
