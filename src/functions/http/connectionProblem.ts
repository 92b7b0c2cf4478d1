import type { HttpResponseInit } from '@azure/functions';
import type { ConnectionFailure, ConnectionFailureCode } from '../../domain/connections/ConnectionFailure';
import { retryAfterSeconds } from './faultResponse';
import { problem } from './problem';
import { type ProblemsAlongside, type ProblemsDoc, problemsByStatus } from './problemDocs';

/** One status per connection failure code, in one place. */
const CONNECTION_STATUS: Record<ConnectionFailureCode, number> = {
  InvalidRepository: 400,
  InvalidBranch: 400,
  InvalidSubPath: 400,
  NotConnected: 404,
  ConnectionExists: 409,
  ConfirmationRequired: 409,
  ConnectionDisabled: 409,
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

/** Route documentation for a use case's failure codes (its `as const` list), merged into the route's other problems. */
export function connectionProblems(
  codes: readonly ConnectionFailureCode[],
  alongside: ProblemsAlongside = {},
): Record<number, ProblemsDoc> {
  return problemsByStatus(codes, CONNECTION_STATUS, (status) => DESCRIPTIONS[status] ?? 'Refused', alongside);
}

export function connectionProblem(
  failure: ConnectionFailure<ConnectionFailureCode> & { fileCount?: number },
): HttpResponseInit {
  const headers = failure.retryable ? { 'retry-after': retryAfterSeconds(failure.retryAfterMs) } : undefined;
  const response = problem(CONNECTION_STATUS[failure.code], failure.code, failure.message, headers);
  return failure.fileCount === undefined
    ? response
    : { ...response, jsonBody: { ...(response.jsonBody as object), fileCount: failure.fileCount } };
}
