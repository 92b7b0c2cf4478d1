import type { HttpResponseInit } from '@azure/functions';
import type { ConnectionFailure, ConnectionFailureCode } from '../../domain/ConnectionFailure';
import { problem } from './problem';

/** One status per connection failure code, in one place. */
export const CONNECTION_STATUS: Record<ConnectionFailureCode, number> = {
  InvalidRepository: 400,
  InvalidBranch: 400,
  InvalidSubPath: 400,
  NotConnected: 404,
  ConnectionExists: 409,
  ConfirmationRequired: 409,
  // The request is well-formed but GitHub says it cannot work: the caller must change it.
  TokenRejected: 422,
  TokenMissing: 422,
  RepositoryNotFound: 422,
  InsufficientPermissions: 422,
  BranchNotFound: 422,
  SubPathNotFound: 422,
  EmptySource: 422,
  GitHubUnavailable: 502,
  SyncInProgress: 503,
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  404: 'The scope is not connected',
  409: 'Conflicts with the current state (already connected, or files would be replaced without confirmation)',
  422: 'GitHub refuses what was asked (token, repository, branch or sub-path)',
  502: 'GitHub cannot be reached; retry later',
  503: 'A sync holds the scope; retry shortly',
};

type ProblemsDoc = { description: string; problems: string[] };

/**
 * Route documentation for a set of codes, grouped by status, merged into `alongside` (the route's
 * other problems): a status both name lists the problems of both, as one key can hold only one.
 */
export function connectionProblems(
  codes: readonly ConnectionFailureCode[],
  alongside: Readonly<Record<number, { readonly description: string; readonly problems: readonly string[] }>> = {},
): Record<number, ProblemsDoc> {
  const byStatus: Record<number, ProblemsDoc> = {};
  for (const [status, doc] of Object.entries(alongside)) byStatus[Number(status)] = { description: doc.description, problems: [...doc.problems] };
  for (const code of codes) {
    const status = CONNECTION_STATUS[code];
    (byStatus[status] ??= { description: DESCRIPTIONS[status] ?? 'Refused', problems: [] }).problems.push(code);
  }
  return byStatus;
}

export function connectionProblem(failure: ConnectionFailure<ConnectionFailureCode> & { fileCount?: number }): HttpResponseInit {
  const headers = failure.retryable ? { 'retry-after': String(Math.max(1, Math.ceil((failure.retryAfterMs ?? 5_000) / 1000))) } : undefined;
  const response = problem(CONNECTION_STATUS[failure.code], failure.code, failure.message, headers);
  return failure.fileCount === undefined ? response : { ...response, jsonBody: { ...(response.jsonBody as object), fileCount: failure.fileCount } };
}
