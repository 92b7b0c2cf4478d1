import type { RepositoryAdmin, RepositoryDetails } from '../../ports/RepositoryAdmin';
import type { SourceLocation, SourceRepositoryFactory, SourceTree } from '../../ports/SourceRepository';
import { normalizeRelativePath } from '../workspace/PathPolicy';
import { isValidBranchName, isValidRepository } from './Connection';
import { type ConnectionFailure, failure, gitHubFailure } from './ConnectionFailure';

/** What a connection points at: a branch of a repository, and a folder in it ('' = all of it). */
export interface ConnectionTarget {
  readonly repository: string;
  readonly branch: string;
  readonly subPath: string;
}

export function checkRepository(repository: string): ConnectionFailure<'InvalidRepository'> | null {
  return isValidRepository(repository)
    ? null
    : failure('InvalidRepository', `'${repository}' is not a GitHub repository name of the form owner/name`);
}

export function checkBranch(branch: string): ConnectionFailure<'InvalidBranch'> | null {
  return isValidBranchName(branch) ? null : failure('InvalidBranch', `'${branch}' is not a valid git branch name`);
}

/**
 * The sub-path in its stored form, or why not. A sub-path is a folder of the repository, so a
 * leading '/' means its root ('/scripts/' is 'scripts', '/' and '' are the whole repository).
 */
export function normalizeSubPath(
  subPath: string,
): { readonly ok: true; readonly subPath: string } | ConnectionFailure<'InvalidSubPath'> {
  const relative = subPath.replace(/^\/+/, '');
  if (relative.replace(/\/+$/, '') === '') return { ok: true, subPath: '' };
  const verdict = normalizeRelativePath(relative);
  return verdict.ok ? { ok: true, subPath: verdict.path } : failure('InvalidSubPath', `sub-path: ${verdict.message}`);
}

export type AccessFailureCode =
  | 'TokenRejected'
  | 'RepositoryNotFound'
  | 'InsufficientPermissions'
  | 'GitHubUnavailable';

/** Whether the token works, sees the repository and may read it. */
export async function checkAccess(
  admin: RepositoryAdmin,
  location: SourceLocation,
): Promise<{ readonly ok: true; readonly details: RepositoryDetails } | ConnectionFailure<AccessFailureCode>> {
  if (location.token === '') return failure('TokenRejected', 'no token was given');
  let details: RepositoryDetails;
  try {
    details = await admin.inspect(location);
  } catch (error) {
    return gitHubFailure(error, 'repository', location);
  }
  if (!details.permissions.pull) {
    return failure(
      'InsufficientPermissions',
      `the token may see ${location.repository} but not read its contents; give it read access to the repository`,
    );
  }
  return { ok: true, details };
}

type BranchFailureCode =
  | 'TokenRejected'
  | 'RepositoryNotFound'
  | 'BranchNotFound'
  | 'SubPathNotFound'
  | 'GitHubUnavailable';

/** A branch read: its head, and the tree under the sub-path when it was read. */
export type TargetRead<Tree extends SourceTree | null> =
  | { readonly ok: true; readonly head: string; readonly tree: Tree }
  | ConnectionFailure<BranchFailureCode>;

/**
 * The branch head and, when `withTree` or a sub-path must be shown to exist, the tree under the
 * sub-path at that head (re-rooted, as a sync reads it).
 */
export function readTarget(
  sources: SourceRepositoryFactory,
  location: SourceLocation,
  target: ConnectionTarget,
  withTree: true,
): Promise<TargetRead<SourceTree>>;
export function readTarget(
  sources: SourceRepositoryFactory,
  location: SourceLocation,
  target: ConnectionTarget,
  withTree: boolean,
): Promise<TargetRead<SourceTree | null>>;
export async function readTarget(
  sources: SourceRepositoryFactory,
  location: SourceLocation,
  target: ConnectionTarget,
  withTree: boolean,
): Promise<TargetRead<SourceTree | null>> {
  if (location.token === '') return failure('TokenRejected', 'no token was given');
  let head: string | null;
  try {
    const source = sources.open(location);
    head = await source.branchHead(target.branch);
    if (head === null)
      return failure('BranchNotFound', `branch '${target.branch}' does not exist in ${target.repository}`);
    if (!withTree && target.subPath === '') return { ok: true, head, tree: null };
    try {
      return { ok: true, head, tree: await source.tree(head, target.subPath || undefined) };
    } catch (error) {
      return gitHubFailure(error, 'subPath', target);
    }
  } catch (error) {
    return gitHubFailure(error, 'branch', target);
  }
}
