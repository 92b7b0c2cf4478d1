/** Why a workspace read or edit was refused; handlers map each code to one HTTP status. */
export type WorkspaceErrorCode =
  | 'GitHubSyncEnabled'
  | 'PreconditionFailed'
  | 'NotFound'
  | 'PayloadTooLarge'
  | 'InvalidPath'
  | 'ScopeBusy'
  | 'NotAFile'
  | 'NotAFolder'
  | 'AlreadyExists'
  | 'FolderNotEmpty';

export interface WorkspaceFailure {
  readonly ok: false;
  readonly code: WorkspaceErrorCode;
  readonly message: string;
  /** For `InvalidPath` from the path policy: which rule refused it (PathRejection). */
  readonly reason?: string;
}

export type WorkspaceResult<T> = { readonly ok: true; readonly value: T } | WorkspaceFailure;

export function succeeded<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function failed(code: WorkspaceErrorCode, message: string, reason?: string): WorkspaceFailure {
  return reason === undefined ? { ok: false, code, message } : { ok: false, code, message, reason };
}
