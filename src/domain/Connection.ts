import type { Scope } from './Scope';

export type SyncOutcome = 'succeeded' | 'failed' | 'noop';

/** A scope's link to a GitHub branch. Secrets are held by reference, never by value. */
export interface Connection {
  readonly scope: Scope;
  /** `owner/name`. */
  readonly repository: string;
  readonly branch: string;
  /** Folder inside the repository to mirror; '' = the whole repository. */
  readonly subPath: string;
  /** SecretStore reference of the token used to read the repository. */
  readonly tokenRef: string;
  /** SecretStore reference of the webhook secret. */
  readonly webhookSecretRef: string;
  readonly enabled: boolean;
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
