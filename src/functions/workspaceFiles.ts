import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Container } from 'inversify';
import { z } from 'zod';
import type { BrowseWorkspace, WorkspaceEntry } from '../domain/workspace/BrowseWorkspace';
import type { EditWorkspace, SaveOptions } from '../domain/workspace/EditWorkspace';
import { TYPES } from '../host/identifiers';
import { defineApiRoute } from './http/apiRoute';
import { problem } from './http/problem';
import { readBody } from './http/readBody';
import { readQuery, unreadBody, unsupportedMediaType } from './http/readJson';
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
const jsonSave = z
  .object({
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    executable: z.boolean().optional(),
  })
  .strict();

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
      400: { description: 'Bad query or path', problems: ['InvalidQuery', 'InvalidPath'] },
      ...workspaceProblems(['NotFound', 'NotAFolder'], (status) =>
        status === 404 ? 'No such folder' : 'Not a folder',
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
      400: { description: 'Bad query or path', problems: ['InvalidQuery', 'InvalidPath'] },
      ...workspaceProblems(['NotFound', 'NotAFile'], (status) =>
        status === 404 ? 'No such file' : 'A folder, not a file',
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
    body: { schema: jsonSave, contentTypes: ['application/octet-stream', 'text/plain'], required: true },
    responses: {
      200: { description: 'Replaced', schema: savedView },
      201: { description: 'Created', schema: savedView },
      400: {
        description: 'Bad request',
        problems: [
          'InvalidQuery',
          'InvalidPath',
          'InvalidJson',
          'ValidationFailed',
          'InvalidBase64',
          'InvalidPrecondition',
        ],
      },
      ...workspaceProblems(
        ['GitHubSyncEnabled', 'PreconditionFailed', 'PayloadTooLarge', 'NotAFile', 'NotAFolder'],
        describeStatus,
      ),
      415: { description: 'Unsupported body type', problems: ['UnsupportedMediaType'] },
      503: {
        description: 'Another edit or a sync holds the scope, or too many large uploads are in progress; retry',
        problems: ['ScopeBusy', 'TooManyUploads'],
      },
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
      const body = await readContent(request, maxFileBytes);
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
      400: { description: 'Bad query or path', problems: ['InvalidQuery', 'InvalidPath', 'InvalidPrecondition'] },
      ...workspaceProblems(
        ['GitHubSyncEnabled', 'NotFound', 'NotAFile', 'PreconditionFailed', 'ScopeBusy'],
        describeStatus,
      ),
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

export function describeStatus(status: number): string {
  return (
    {
      403: 'The scope is GitHub-managed: read-only',
      404: 'Not found',
      409: 'Conflicts with what is there',
      412: 'The file changed since it was read',
      413: 'File too large',
      503: 'Another edit or a sync holds the scope; retry',
    }[status] ?? 'Refused'
  );
}

function readPreconditions(
  request: HttpRequest,
): { value: Pick<SaveOptions, 'ifMatch' | 'ifNoneMatch'> } | { response: HttpResponseInit } {
  const ifMatch = request.headers.get('if-match')?.trim();
  const ifNoneMatch = request.headers.get('if-none-match')?.trim();
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
    return { response: problem(400, 'InvalidPrecondition', 'If-None-Match supports only * (create only)') };
  if (ifMatch !== undefined && ifNoneMatch !== undefined)
    return { response: problem(400, 'InvalidPrecondition', 'send If-Match or If-None-Match, not both') };
  return { value: { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch: '*' as const } : {}) } };
}

/** The new content: raw bytes as sent, or JSON carrying UTF-8 text or base64. */
async function readContent(
  request: HttpRequest,
  maxFileBytes: number,
): Promise<{ bytes: Uint8Array; executable?: boolean } | { response: HttpResponseInit }> {
  // split always gives at least one part: the default is never used.
  const [mediaType = ''] = (request.headers.get('content-type') ?? 'application/octet-stream').split(';');
  const type = mediaType.trim().toLowerCase();
  const tooLargeMessage = `files are limited to ${maxFileBytes} bytes`;
  if (type === 'application/json') {
    // base64 is 4/3 of the bytes; the use case checks the decoded size exactly.
    const body = await readBody(request, Math.ceil(maxFileBytes / 3) * 4 + 64 * 1024);
    if (!body.ok) return { response: unreadBody(body, tooLargeMessage) };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body.bytes).toString('utf8'));
    } catch {
      return { response: problem(400, 'InvalidJson', 'the body is not valid JSON') };
    }
    const parsed = jsonSave.safeParse(json);
    if (!parsed.success)
      return {
        response: problem(
          400,
          'ValidationFailed',
          'send {"content": "…", "encoding": "utf8" | "base64", "executable"?: boolean}',
        ),
      };
    const { content, encoding, executable } = parsed.data;
    if (encoding === 'base64' && !isBase64(content)) {
      return { response: problem(400, 'InvalidBase64', 'content is not valid base64') };
    }
    const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    return { bytes, ...(executable === undefined ? {} : { executable }) };
  }
  if (type === 'application/octet-stream' || type.startsWith('text/')) {
    const body = await readBody(request, maxFileBytes);
    return body.ok ? { bytes: body.bytes } : { response: unreadBody(body, tooLargeMessage) };
  }
  return { response: unsupportedMediaType('application/json', 'application/octet-stream', 'text/*') };
}

/**
 * Standard base64 with padding. Checked with a scan for a bad character rather than one pattern for
 * the whole text: a repeated group overflows the regex stack on a body of a few megabytes.
 */
function isBase64(text: string): boolean {
  if (text.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(text)) return false;
  const padding = text.indexOf('=');
  return padding === -1 || (padding >= text.length - 2 && /^=+$/.test(text.slice(padding)));
}
