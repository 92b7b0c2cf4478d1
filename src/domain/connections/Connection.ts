import type { Scope } from '../shared/Scope';

export type SyncOutcome = 'succeeded' | 'failed' | 'noop';

/**
 * How pushes reach us: a webhook we registered through the API (its GitHub id, so disconnecting can
 * remove it), or one a person set up by hand from the URL and secret shown once at connect time.
 */
export type WebhookRegistration = { readonly mode: 'automatic'; readonly id: number } | { readonly mode: 'manual' };

/** A scope's link to a GitHub branch. Secrets are held by reference, never by value. */
export interface Connection {
  readonly scope: Scope;
  /** `owner/name`. */
  readonly repository: string;
  /**
   * GitHub's numeric repository id, read when the scope was connected through the API: pushes are
   * matched on it, so a renamed or transferred repository keeps syncing. Absent for connections
   * declared in configuration, which are matched on `repository`.
   */
  readonly repositoryId?: number;
  readonly branch: string;
  /** Folder inside the repository to mirror; '' = the whole repository. */
  readonly subPath: string;
  /** SecretStore reference of the token used to read the repository. */
  readonly tokenRef: string;
  /** SecretStore reference of the webhook secret. */
  readonly webhookSecretRef: string;
  readonly enabled: boolean;
  readonly webhook: WebhookRegistration;
  /**
   * `configuration`: declared in CONNECTIONS or CONNECTIONS_FILE, so a start that no longer finds it
   * declared removes it. Absent: connected through the API (or saved before this field existed).
   */
  readonly source?: 'configuration';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastSyncedCommit?: string;
  readonly lastSyncOutcome?: SyncOutcome;
  readonly lastSyncAt?: Date;
  /** Set when GitHub reported the branch deleted; files are kept. */
  readonly branchDeletedAt?: Date;
}

const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

export function isValidRepository(value: string): boolean {
  return REPOSITORY.test(value) && !value.split('/').some((part) => part === '.' || part === '..');
}

// git check-ref-format: no control characters, space, ~ ^ : ? * [ \, no '..', no '@{', no empty
// segment, no segment starting with '.' or ending with '.lock', not ending with '.', not '@' alone.
const BRANCH_FORBIDDEN = /[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.$|^@$/;

export function isValidBranchName(value: string): boolean {
  if (value.length === 0 || value.length > 255 || BRANCH_FORBIDDEN.test(value)) return false;
  return value.split('/').every((segment) => !segment.startsWith('.') && !segment.endsWith('.lock'));
}
