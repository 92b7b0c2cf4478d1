import { SourceError } from '../../ports/SourceRepository';

/**
 * Why a connection use case did not do what was asked. Stable codes; handlers map each to one
 * HTTP status. `retryable` failures (GitHub unreachable or rate limited, a sync holding the scope)
 * may succeed when repeated unchanged, after `retryAfterMs` when given.
 */
export type ConnectionFailureCode =
  | 'InvalidRepository'
  | 'InvalidBranch'
  | 'InvalidSubPath'
  | 'ConnectionExists'
  | 'NotConnected'
  | 'ConnectionDisabled'
  | 'TokenRejected'
  | 'TokenMissing'
  | 'RepositoryNotFound'
  | 'InsufficientPermissions'
  | 'BranchNotFound'
  | 'SubPathNotFound'
  | 'EmptySource'
  | 'ConfirmationRequired'
  | 'GitHubUnavailable'
  | 'SyncInProgress';

export interface ConnectionFailure<C extends string = ConnectionFailureCode> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

export function failure<C extends ConnectionFailureCode>(
  code: C,
  message: string,
  retryAfterMs?: number,
): ConnectionFailure<C> {
  const retryable = code === 'GitHubUnavailable' || code === 'SyncInProgress';
  return { ok: false, code, message, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/** What a failed GitHub call was about, which decides what its NotFound means. */
export type GitHubQuestion = 'repository' | 'branch' | 'subPath';

interface GitHubTarget {
  readonly repository: string;
  readonly subPath?: string;
}

export type GitHubFailureCode = 'TokenRejected' | 'RepositoryNotFound' | 'SubPathNotFound' | 'GitHubUnavailable';

/**
 * Turns a SourceError from a validation call into the failure a person can act on. Anything else
 * is a fault and is rethrown. `repository` and `subPath` name what was asked for in messages.
 */
export function gitHubFailure(
  error: unknown,
  question: 'repository' | 'branch',
  target: GitHubTarget,
): ConnectionFailure<Exclude<GitHubFailureCode, 'SubPathNotFound'>>;
export function gitHubFailure(
  error: unknown,
  question: 'subPath',
  target: GitHubTarget,
): ConnectionFailure<GitHubFailureCode>;
export function gitHubFailure(
  error: unknown,
  question: GitHubQuestion,
  target: GitHubTarget,
): ConnectionFailure<GitHubFailureCode> {
  if (!(error instanceof SourceError)) throw error;
  switch (error.code) {
    case 'Unauthorized':
      return failure(
        'TokenRejected',
        `GitHub rejected the token for ${target.repository}: it is invalid, expired or revoked, or not allowed to access this repository`,
      );
    case 'NotFound':
      if (question === 'subPath') {
        return failure(
          'SubPathNotFound',
          `the folder '${target.subPath ?? ''}' does not exist in ${target.repository} at the head of the branch`,
        );
      }
      return failure(
        'RepositoryNotFound',
        `repository ${target.repository} was not found. GitHub also answers "not found" for a private repository the token cannot see: check the name and that the token has access to it`,
      );
    default:
      return failure(
        'GitHubUnavailable',
        `GitHub could not be reached or asked us to slow down; try again later (${error.message})`,
        error.retryAfterMs,
      );
  }
}
