import type { WorkspaceErrorCode } from './WorkspaceResult';

/**
 * What every write can be refused for, whatever it does: a path the policy refuses, a scope synced
 * from GitHub, the lease held by a sync or another edit, a symbolic link where a folder should be.
 */
const ANY_WRITE_FAILURES = ['InvalidPath', 'GitHubSyncEnabled', 'ScopeBusy', 'NotAFolder'] as const;
/** The codes the common frame of a write (`write`) adds to its work's. */
export type WriteFrameCode = Exclude<(typeof ANY_WRITE_FAILURES)[number], 'InvalidPath'>;

// Every code each edit can fail with: its result type and its route's documentation both derive from it.
export const SAVE_FILE_FAILURES = [
  ...ANY_WRITE_FAILURES,
  'PayloadTooLarge',
  'NotAFile',
  'PreconditionFailed',
] as const satisfies readonly WorkspaceErrorCode[];
export const DELETE_FILE_FAILURES = [
  ...ANY_WRITE_FAILURES,
  'NotFound',
  'NotAFile',
  'PreconditionFailed',
] as const satisfies readonly WorkspaceErrorCode[];
export const CREATE_FOLDER_FAILURES = [
  ...ANY_WRITE_FAILURES,
  'AlreadyExists',
] as const satisfies readonly WorkspaceErrorCode[];
export const DELETE_FOLDER_FAILURES = [
  ...ANY_WRITE_FAILURES,
  'NotFound',
  'FolderNotEmpty',
] as const satisfies readonly WorkspaceErrorCode[];
export const MOVE_FAILURES = [
  ...ANY_WRITE_FAILURES,
  'NotFound',
  'AlreadyExists',
  'NotAFile',
  'PreconditionFailed',
] as const satisfies readonly WorkspaceErrorCode[];
