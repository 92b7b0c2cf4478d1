import { describe, expect, it } from 'vitest';
import { LIST_WORKSPACE_FAILURES, READ_WORKSPACE_FILE_FAILURES } from '../../src/domain/workspace/BrowseWorkspace';
import {
  CREATE_FOLDER_FAILURES,
  DELETE_FILE_FAILURES,
  DELETE_FOLDER_FAILURES,
  MOVE_FAILURES,
  SAVE_FILE_FAILURES,
} from '../../src/domain/workspace/EditFailures';
import { OPEN_SCOPE_BACKUP_FAILURES } from '../../src/domain/workspace/OpenScopeBackup';
import { failed, type WorkspaceErrorCode } from '../../src/domain/workspace/WorkspaceResult';
import { workspaceProblem } from '../../src/functions/http/workspaceProblem';
import { httpFunctions } from '../../src/functions/index';
import { openApiDocument } from '../../src/functions/openapi/openApiDocument';

type Json = Record<string, unknown>;

const document = openApiDocument(httpFunctions, 'test') as { paths: Record<string, Record<string, Json>> };

/** The error codes the document lists for one answer of an operation. */
function documentedCodes(path: string, method: string, status: number): string[] {
  const responses = document.paths[path]?.[method]?.responses as Record<string, Json> | undefined;
  const codes: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const error = (node as { properties?: { error?: { enum?: string[] } } }).properties?.error;
      if (error?.enum) codes.push(...error.enum);
      Object.values(node).forEach(walk);
    }
  };
  walk(responses?.[String(status)]);
  return codes;
}

const statusOf = (code: WorkspaceErrorCode) => workspaceProblem(failed(code, 'refused')).status as number;

// Each route with the failure list of the operation it calls, and the codes its handler answers itself.
const routes: ReadonlyArray<{
  readonly operation: string;
  readonly failures: readonly WorkspaceErrorCode[];
  readonly own: Readonly<Record<number, readonly string[]>>;
}> = [
  { operation: 'get /api/workspace/tree', failures: LIST_WORKSPACE_FAILURES, own: { 400: ['InvalidQuery'] } },
  { operation: 'get /api/workspace/files', failures: READ_WORKSPACE_FILE_FAILURES, own: { 400: ['InvalidQuery'] } },
  {
    operation: 'put /api/workspace/files',
    failures: SAVE_FILE_FAILURES,
    own: {
      400: ['InvalidQuery', 'InvalidJson', 'ValidationFailed', 'InvalidBase64', 'InvalidPrecondition'],
      413: ['PayloadTooLarge'],
      415: ['UnsupportedMediaType'],
      503: ['TooManyUploads'],
    },
  },
  {
    operation: 'delete /api/workspace/files',
    failures: DELETE_FILE_FAILURES,
    own: { 400: ['InvalidQuery', 'InvalidPrecondition'] },
  },
  { operation: 'post /api/workspace/folders', failures: CREATE_FOLDER_FAILURES, own: { 400: ['InvalidQuery'] } },
  { operation: 'delete /api/workspace/folders', failures: DELETE_FOLDER_FAILURES, own: { 400: ['InvalidQuery'] } },
  {
    operation: 'post /api/workspace/move',
    failures: MOVE_FAILURES,
    own: { 400: ['InvalidJson', 'ValidationFailed'], 413: ['PayloadTooLarge'] },
  },
];

describe('workspace routes document every code their use case and handler can answer with', () => {
  for (const { operation, failures, own } of routes) {
    it(operation, () => {
      const [method = '', path = ''] = operation.split(' ');
      const missing: string[] = [];
      for (const code of failures)
        if (!documentedCodes(path, method, statusOf(code)).includes(code)) missing.push(`${statusOf(code)} ${code}`);
      for (const [status, codes] of Object.entries(own))
        for (const code of codes)
          if (!documentedCodes(path, method, Number(status)).includes(code)) missing.push(`${status} ${code}`);
      expect(missing).toEqual([]);
    });
  }

  it('get /api/workspace/backups/{id}', () => {
    for (const code of OPEN_SCOPE_BACKUP_FAILURES)
      expect(documentedCodes('/api/workspace/backups/{id}', 'get', 404)).toContain(code);
  });
});
