/**
 * Why a workspace read or edit was refused; handlers map each code to one HTTP status. Each
 * operation declares the codes it can answer with in an `as const` list next to it: its result type
 * and its route's documentation both derive from that list.
 */
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

export interface WorkspaceFailure<C extends WorkspaceErrorCode = WorkspaceErrorCode> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  /** For `InvalidPath` from the path policy: which rule refused it (PathRejection). */
  readonly reason?: string;
}

/** A value, or a failure with one of the codes `C` (all codes unless narrowed). */
export type WorkspaceResult<T, C extends WorkspaceErrorCode = WorkspaceErrorCode> =
  | { readonly ok: true; readonly value: T }
  | WorkspaceFailure<C>;

/** The codes of an operation's `as const` failure list. */
export type FailureCodeOf<L extends readonly WorkspaceErrorCode[]> = L[number];

export function succeeded<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function failed<C extends WorkspaceErrorCode>(code: C, message: string, reason?: string): WorkspaceFailure<C> {
  return reason === undefined ? { ok: false, code, message } : { ok: false, code, message, reason };
}
