import type { HttpResponseInit } from '@azure/functions';
import type { WorkspaceErrorCode, WorkspaceFailure } from '../../domain/workspace/WorkspaceResult';
import { problem } from './problem';
import { type ProblemsAlongside, type ProblemsDoc, problemsByStatus } from './problemDocs';

/** One status per workspace failure code, in one place. */
const WORKSPACE_STATUS: Record<WorkspaceErrorCode, number> = {
  InvalidPath: 400,
  GitHubSyncEnabled: 403,
  NotFound: 404,
  AlreadyExists: 409,
  NotAFile: 409,
  NotAFolder: 409,
  FolderNotEmpty: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  ScopeBusy: 503,
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad path',
  403: 'The scope is GitHub-managed: read-only',
  404: 'Not found',
  409: 'Conflicts with what is there',
  412: 'The file changed since it was read',
  413: 'File too large',
  503: 'Another edit or a sync holds the scope; retry',
};

/**
 * Route documentation for an operation's failure codes (its `as const` list), merged into the
 * route's other problems (`alongside`, whose descriptions win); `describe` words a status the
 * route has no description of its own for.
 */
export function workspaceProblems(
  codes: readonly WorkspaceErrorCode[],
  alongside: ProblemsAlongside = {},
  describe: (status: number) => string | undefined = () => undefined,
): Record<number, ProblemsDoc> {
  return problemsByStatus(
    codes,
    WORKSPACE_STATUS,
    (status) => describe(status) ?? DESCRIPTIONS[status] ?? 'Refused',
    alongside,
  );
}

export function workspaceProblem(failure: WorkspaceFailure): HttpResponseInit {
  const status = WORKSPACE_STATUS[failure.code];
  const headers = failure.code === 'ScopeBusy' ? { 'retry-after': '2' } : undefined;
  const response = problem(status, failure.code, failure.message, headers);
  return failure.reason
    ? { ...response, jsonBody: { ...(response.jsonBody as object), reason: failure.reason } }
    : response;
}
