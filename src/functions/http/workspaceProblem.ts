import type { HttpResponseInit } from '@azure/functions';
import type { WorkspaceErrorCode, WorkspaceFailure } from '../../domain/workspace/WorkspaceResult';
import { problem } from './problem';

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

/** Codes grouped by status, for route documentation. */
export function workspaceProblems(
  codes: readonly WorkspaceErrorCode[],
  description: (status: number) => string = () => 'Refused',
) {
  const byStatus: Record<number, { description: string; problems: string[] }> = {};
  for (const code of codes) {
    const status = WORKSPACE_STATUS[code];
    const doc = byStatus[status] ?? { description: description(status), problems: [] };
    doc.problems.push(code);
    byStatus[status] = doc;
  }
  return byStatus;
}

export function workspaceProblem(failure: WorkspaceFailure): HttpResponseInit {
  const status = WORKSPACE_STATUS[failure.code];
  const headers = failure.code === 'ScopeBusy' ? { 'retry-after': '2' } : undefined;
  const response = problem(status, failure.code, failure.message, headers);
  return failure.reason
    ? { ...response, jsonBody: { ...(response.jsonBody as object), reason: failure.reason } }
    : response;
}
