import type { Clock } from '../ports/Clock';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { RepositoryAdmin } from '../ports/RepositoryAdmin';
import type { SecretStore } from '../ports/SecretStore';
import type { Connection } from './Connection';
import { failure, type ConnectionFailure } from './ConnectionFailure';
import { holdScope } from './HoldScope';
import type { Scope } from './Scope';

export interface DisconnectScopeInput {
  readonly scope: Scope;
}

/** What became of the webhook. A failure to remove it does not undo the disconnect. */
export type WebhookRemoval =
  | { readonly kind: 'removed'; readonly id: number }
  | { readonly kind: 'not-removed'; readonly id: number; readonly reason: string }
  | { readonly kind: 'manual'; readonly message: string };

export interface DisconnectScopeSuccess {
  readonly ok: true;
  /** The connection as it was. */
  readonly connection: Connection;
  readonly webhook: WebhookRemoval;
}

export type DisconnectScopeFailureCode = 'NotConnected' | 'SyncInProgress';

export type DisconnectScopeResult = DisconnectScopeSuccess | ConnectionFailure<DisconnectScopeFailureCode>;

export interface DisconnectScopeDeps {
  readonly metadata: MetadataRepo;
  readonly admin: RepositoryAdmin;
  readonly secrets: SecretStore;
  readonly clock: Clock;
}

/**
 * Ends a scope's GitHub connection: the connection and its manifest go (while holding the scope, so
 * no sync runs across it), the files stay and become editable by hand, and a webhook we registered
 * is removed from GitHub when possible.
 */
export class DisconnectScope {
  constructor(private readonly deps: DisconnectScopeDeps) {}

  async execute(input: DisconnectScopeInput): Promise<DisconnectScopeResult> {
    const { metadata, clock } = this.deps;
    if (!(await metadata.getConnection(input.scope))) return notConnected(input.scope);
    const outcome = await holdScope(metadata, clock, input.scope, async () => {
      const connection = await metadata.getConnection(input.scope);
      if (!connection) return null;
      // Manifest first: a connection left without one only makes a sync look at the folder itself.
      await metadata.deleteManifest(input.scope);
      await metadata.deleteConnection(input.scope);
      return connection;
    });
    if (!outcome.held) {
      return failure('SyncInProgress', `a sync of scope ${input.scope} is running; try again shortly`, outcome.retryAfterMs);
    }
    const connection = outcome.value;
    if (!connection) return notConnected(input.scope);
    return { ok: true, connection, webhook: await this.removeWebhook(connection) };
  }

  private async removeWebhook(connection: Connection): Promise<WebhookRemoval> {
    if (connection.webhook.mode === 'manual') {
      return { kind: 'manual', message: `the webhook of ${connection.repository} was set up by hand; remove it in the repository's settings` };
    }
    const { id } = connection.webhook;
    try {
      const token = await this.deps.secrets.get(connection.tokenRef);
      if (!token) return { kind: 'not-removed', id, reason: 'the token is no longer in the secret store; remove the webhook in the repository settings' };
      await this.deps.admin.deleteWebhook({ repository: connection.repository, token }, id);
      return { kind: 'removed', id };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { kind: 'not-removed', id, reason: `GitHub did not remove the webhook (${detail}); remove it in the repository settings` };
    }
  }
}

function notConnected(scope: Scope): ConnectionFailure<'NotConnected'> {
  return failure('NotConnected', `scope ${scope} is not connected to GitHub`);
}
