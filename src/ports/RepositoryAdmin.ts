import type { SourceLocation } from './SourceRepository';

/** What the token may do with the repository, as GitHub reports it for the token's user. */
export interface RepositoryPermissions {
  readonly pull: boolean;
  readonly push: boolean;
  readonly admin: boolean;
}

export interface RepositoryDetails {
  /** GitHub's numeric repository id: unlike the name, it survives renames and transfers. */
  readonly id: number;
  /** `owner/name` as GitHub spells it. */
  readonly fullName: string;
  readonly defaultBranch: string;
  readonly private: boolean;
  readonly permissions: RepositoryPermissions;
}

/** A push webhook to register: where GitHub sends deliveries and the secret it signs them with. */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

/**
 * The administrative side of a GitHub repository, used when connecting and disconnecting scopes.
 * The token is passed in by the caller (it is being validated, or read from the SecretStore by the
 * caller). Failures are thrown as `SourceError` (Unauthorized, NotFound, RateLimited, Unavailable);
 * messages never contain the token.
 */
export interface RepositoryAdmin {
  /** Details and the token's permissions; NotFound also for a private repository the token cannot see. */
  inspect(location: SourceLocation): Promise<RepositoryDetails>;
  /**
   * Registers a push webhook (JSON payloads, TLS verified, active). When the repository already has
   * a push webhook for the same URL (an earlier registration we lost track of), that one is updated
   * with the new secret and its id returned, so registration can be repeated safely.
   */
  createWebhook(location: SourceLocation, target: WebhookTarget): Promise<{ readonly id: number }>;
  /** Removes a webhook; one that is already gone is not an error. */
  deleteWebhook(location: SourceLocation, id: number): Promise<void>;
}
