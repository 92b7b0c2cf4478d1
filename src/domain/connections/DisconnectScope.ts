import type { Clock } from '../../ports/Clock';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { LeaseRepo } from '../../ports/LeaseRepo';
import type { ManifestRepo } from '../../ports/ManifestRepo';
import type { RepositoryAdmin } from '../../ports/RepositoryAdmin';
import { type SecretStore, SecretStoreReadOnlyError } from '../../ports/SecretStore';
import type { Scope } from '../shared/Scope';
import type { Connection } from './Connection';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from './ConnectionFailure';
import { connectionSecretNames } from './ConnectionSecrets';
import { holdScope } from './HoldScope';

export interface DisconnectScopeInput {
  readonly scope: Scope;
}

/** What became of the webhook. A failure to remove it does not undo the disconnect. */
export type WebhookRemoval =
  | { readonly kind: 'removed'; readonly id: number }
  | { readonly kind: 'not-removed'; readonly id: number; readonly reason: string }
  | { readonly kind: 'manual'; readonly message: string };

/** A secret reference the disconnect left in the secret store, and why. */
interface KeptSecret {
  readonly ref: string;
  readonly reason: string;
}

/**
 * What became of the connection's secrets. Only the token and webhook secret that connecting the
 * scope stored (under connectionSecretNames) are deleted; references declared in configuration may
 * be shared by other scopes and are always kept. A failure to delete does not undo the disconnect.
 */
export interface SecretRemoval {
  readonly removed: readonly string[];
  readonly kept: readonly KeptSecret[];
}

interface DisconnectScopeSuccess {
  readonly ok: true;
  /** The connection as it was. */
  readonly connection: Connection;
  readonly webhook: WebhookRemoval;
  readonly secrets: SecretRemoval;
}

/** Every code disconnecting can fail with: the result type and the route's documentation both derive from it. */
export const DISCONNECT_SCOPE_FAILURES = [
  'NotConnected',
  'SyncInProgress',
] as const satisfies readonly ConnectionFailureCode[];

type DisconnectScopeFailureCode = (typeof DISCONNECT_SCOPE_FAILURES)[number];

export type DisconnectScopeResult = DisconnectScopeSuccess | ConnectionFailure<DisconnectScopeFailureCode>;

export interface DisconnectScopeDeps {
  readonly metadata: ConnectionRepo & ManifestRepo & LeaseRepo;
  readonly admin: RepositoryAdmin;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** The token for removing the webhook, read before the secrets go; absent for a webhook set up by hand. */
type TokenRead =
  | { readonly ok: true; readonly token: string | null }
  | { readonly ok: false; readonly detail: string }
  | null;

/**
 * Ends a scope's GitHub connection: the connection and its manifest go (while holding the scope, so
 * no sync runs across it), then the secrets connecting stored, the files stay and become editable by
 * hand, and a webhook we registered is removed from GitHub when possible.
 */
export class DisconnectScope {
  constructor(private readonly deps: DisconnectScopeDeps) {}

  async execute(input: DisconnectScopeInput): Promise<DisconnectScopeResult> {
    const { metadata } = this.deps;
    if (!(await metadata.getConnection(input.scope))) return notConnected(input.scope);
    const outcome = await holdScope(this.deps, input.scope, async () => {
      const connection = await metadata.getConnection(input.scope);
      if (!connection) return null;
      const token = await this.readToken(connection);
      // Manifest first: a connection left without one only makes a sync look at the folder itself.
      await metadata.deleteManifest(input.scope);
      await metadata.deleteConnection(input.scope);
      // Right after the connection, still holding the scope: a connect of the scope that starts now
      // stores its own secrets under the same names only after its checks with GitHub, so this
      // cannot delete them.
      const secrets = await this.removeSecrets(connection);
      return { connection, token, secrets };
    });
    if (!outcome.held) {
      return failure(
        'SyncInProgress',
        `a sync of scope ${input.scope} is running; try again shortly`,
        outcome.retryAfterMs,
      );
    }
    if (!outcome.value) return notConnected(input.scope);
    const { connection, token, secrets } = outcome.value;
    return { ok: true, connection, webhook: await this.removeWebhook(connection, token), secrets };
  }

  private async readToken(connection: Connection): Promise<TokenRead> {
    if (connection.webhook.mode === 'manual') return null;
    try {
      return { ok: true, token: await this.deps.secrets.get(connection.tokenRef) };
    } catch (error) {
      return { ok: false, detail: messageOf(error) };
    }
  }

  private async removeWebhook(connection: Connection, read: TokenRead): Promise<WebhookRemoval> {
    if (connection.webhook.mode === 'manual' || read === null) {
      return {
        kind: 'manual',
        message: `the webhook of ${connection.repository} was set up by hand; remove it in the repository's settings`,
      };
    }
    const { id } = connection.webhook;
    if (!read.ok) {
      return {
        kind: 'not-removed',
        id,
        reason: `the token could not be read from the secret store (${read.detail}); remove the webhook in the repository settings`,
      };
    }
    if (!read.token)
      return {
        kind: 'not-removed',
        id,
        reason: 'the token is no longer in the secret store; remove the webhook in the repository settings',
      };
    try {
      await this.deps.admin.deleteWebhook({ repository: connection.repository, token: read.token }, id);
      return { kind: 'removed', id };
    } catch (error) {
      const detail = messageOf(error);
      return {
        kind: 'not-removed',
        id,
        reason: `GitHub did not remove the webhook (${detail}); remove it in the repository settings`,
      };
    }
  }

  private async removeSecrets(connection: Connection): Promise<SecretRemoval> {
    const names = connectionSecretNames(connection.scope);
    const stored = new Set([names.token, names.webhookSecret]);
    const refs = [...new Set([connection.tokenRef, connection.webhookSecretRef])];
    const outcomes = await Promise.all(
      refs.map(async (ref): Promise<KeptSecret | null> => {
        if (!stored.has(ref)) {
          return {
            ref,
            reason:
              'not stored by connecting this scope (declared in configuration, and possibly shared with other scopes), so it is left in place',
          };
        }
        try {
          await this.deps.secrets.delete(ref);
          return null;
        } catch (error) {
          if (error instanceof SecretStoreReadOnlyError) {
            return {
              ref,
              reason: `the secret store is read-only (${error.message}); remove the secret where it is defined if nothing else uses it`,
            };
          }
          return { ref, reason: `the secret store did not delete it (${messageOf(error)}); delete it there by hand` };
        }
      }),
    );
    return {
      removed: refs.filter((_, index) => outcomes[index] === null),
      kept: outcomes.filter((outcome): outcome is KeptSecret => outcome !== null),
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function notConnected(scope: Scope): ConnectionFailure<'NotConnected'> {
  return failure('NotConnected', `scope ${scope} is not connected to GitHub`);
}
