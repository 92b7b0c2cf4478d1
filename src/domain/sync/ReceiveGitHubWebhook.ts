import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { Logger } from '../../ports/Logger';
import type { SecretStore } from '../../ports/SecretStore';
import type { SignatureVerifier } from '../../ports/SignatureVerifier';
import { type Connection, isValidRepository } from '../connections/Connection';
import { parseScope } from '../shared/Scope';
import type { SyncCommand } from './SyncCommand';

export interface WebhookDelivery {
  readonly scope: string;
  /** `X-GitHub-Event`. */
  readonly event: string | null;
  /** `X-GitHub-Delivery`. */
  readonly deliveryId: string | null;
  /** `X-Hub-Signature-256`. */
  readonly signature: string | null;
  /** The JSON payload exactly as received (the signature covers these bytes). */
  readonly payload: string;
  /** The raw body, when it differs from `payload` (form-encoded deliveries sign the whole form). */
  readonly signedBody?: string;
}

/** Rejections a caller can act on; handlers map each code to one HTTP status. */
export type WebhookRejection =
  | 'UnknownScope'
  | 'SignatureMissing'
  | 'SignatureInvalid'
  | 'WebhookSecretUnavailable'
  | 'DeliveryIdMissing'
  | 'EventMissing'
  | 'InvalidJson'
  | 'InvalidPayload';

export type WebhookOutcome =
  | { readonly kind: 'rejected'; readonly code: WebhookRejection; readonly message: string }
  | { readonly kind: 'pong' }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'duplicate'; readonly deliveryId: string }
  | { readonly kind: 'branch-deleted'; readonly branch: string }
  | { readonly kind: 'queued'; readonly deliveryId: string; readonly commitSha: string };

const SHA = /^[0-9a-f]{40}$/;
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

/**
 * Checks one GitHub webhook delivery for a scope and, for a push to the connected branch, queues a
 * sync command whose message id is scope + delivery id: the queue's duplicate detection drops a
 * redelivery (or a concurrent copy) within its window, while the hook of each scope following the
 * repository (same event, same delivery id) queues its own sync. Nothing is written before the
 * send: a redelivery after the window queues again, and that sync finds the scope at the branch
 * head (a command names no commit to sync to) and changes nothing.
 */
export class ReceiveGitHubWebhook {
  constructor(
    private readonly deps: {
      readonly metadata: ConnectionRepo;
      /**
       * Where a delivery's connection is first looked up (default: `metadata`). It may answer from a
       * short-lived cache; what this use case writes back is re-read from `metadata` first.
       */
      readonly connections?: Pick<ConnectionRepo, 'getConnection'>;
      readonly secrets: SecretStore;
      readonly verifier: SignatureVerifier;
      readonly queue: CommandQueue;
      readonly clock: Clock;
      readonly logger: Logger;
    },
  ) {}

  async execute(delivery: WebhookDelivery): Promise<WebhookOutcome> {
    const { metadata, secrets, verifier } = this.deps;
    const scope = parseScope(delivery.scope);
    const found = scope ? await (this.deps.connections ?? metadata).getConnection(scope) : null;
    if (!scope || !found) return reject('UnknownScope', `no GitHub connection for scope '${delivery.scope}'`);

    if (!delivery.signature) return reject('SignatureMissing', 'the X-Hub-Signature-256 header is missing');
    const secret = await secrets.get(found.webhookSecretRef);
    if (!secret)
      return reject('WebhookSecretUnavailable', 'the webhook secret of this connection is not in the secret store');
    if (!(await verifier.verify(secret, delivery.signedBody ?? delivery.payload, delivery.signature))) {
      return reject('SignatureInvalid', 'the signature does not match the body and the webhook secret');
    }

    if (!delivery.event) return reject('EventMissing', 'the X-GitHub-Event header is missing');
    if (!delivery.deliveryId || !DELIVERY_ID.test(delivery.deliveryId)) {
      return reject('DeliveryIdMissing', 'the X-GitHub-Delivery header is missing or malformed');
    }
    let body: unknown;
    try {
      body = JSON.parse(delivery.payload);
    } catch {
      return reject('InvalidJson', 'the body is not JSON');
    }
    if (delivery.event === 'ping') return { kind: 'pong' };
    if (delivery.event !== 'push') return { kind: 'ignored', reason: `event '${delivery.event}' is not handled` };

    const push = readPush(body);
    if (!push)
      return reject('InvalidPayload', 'a push payload needs ref, after (a commit SHA) and repository.full_name');
    const repository = sameRepository(found, push);
    if (repository === 'other') {
      return { kind: 'ignored', reason: `push to ${push.repository}, connection is to ${found.repository}` };
    }
    const connection = repository === 'renamed' ? await this.followRename(found, push.repository) : found;
    if (push.ref !== `refs/heads/${connection.branch}`) {
      return { kind: 'ignored', reason: `push to ${push.ref}, connection follows refs/heads/${connection.branch}` };
    }
    if (push.deleted) {
      await this.patchConnection(connection, { branchDeletedAt: this.deps.clock.now() });
      this.deps.logger.warn({ scope, branch: connection.branch }, 'connected branch was deleted on GitHub; files kept');
      return { kind: 'branch-deleted', branch: connection.branch };
    }
    if (!connection.enabled) return { kind: 'ignored', reason: 'the connection is disabled' };

    return this.queue(scope, delivery.deliveryId, push.after);
  }

  /** The repository was renamed or transferred on GitHub: keep following it under its new name. */
  private async followRename(connection: Connection, newName: string): Promise<Connection> {
    if (!isValidRepository(newName)) return connection;
    const renamed = await this.patchConnection(connection, { repository: newName, updatedAt: this.deps.clock.now() });
    this.deps.logger.info(
      { scope: connection.scope, from: connection.repository, to: newName },
      'connected repository was renamed on GitHub; connection follows the new name',
    );
    return renamed;
  }

  /**
   * Saves `change` onto the connection as stored now, read again just before: a disable, an update
   * or a sync's outcome saved since this request first read it must not be written back over.
   */
  private async patchConnection(read: Connection, change: Partial<Connection>): Promise<Connection> {
    const current = (await this.deps.metadata.getConnection(read.scope)) ?? read;
    const patched: Connection = { ...current, ...change };
    await this.deps.metadata.saveConnection(patched);
    return patched;
  }

  private async queue(
    scope: NonNullable<ReturnType<typeof parseScope>>,
    deliveryId: string,
    commitSha: string,
  ): Promise<WebhookOutcome> {
    const { queue, clock } = this.deps;
    const command: SyncCommand = {
      scope,
      trigger: 'push',
      deliveryId,
      commitSha,
      requestedAt: clock.now().toISOString(),
    };
    // A failed send throws and records nothing, so GitHub's redelivery is accepted.
    if (!(await queue.send(command))) return { kind: 'duplicate', deliveryId };
    return { kind: 'queued', deliveryId, commitSha };
  }
}

function reject(code: WebhookRejection, message: string): WebhookOutcome {
  return { kind: 'rejected', code, message };
}

interface PushFacts {
  readonly ref: string;
  readonly after: string;
  readonly deleted: boolean;
  /** `repository.full_name`. */
  readonly repository: string;
  /** `repository.id`, when the payload has a usable one. */
  readonly repositoryId?: number;
}

function readPush(body: unknown): PushFacts | null {
  if (typeof body !== 'object' || body === null) return null;
  const { ref, after, deleted, repository } = body as Record<string, unknown>;
  const { full_name: fullName, id } =
    typeof repository === 'object' && repository !== null ? (repository as Record<string, unknown>) : {};
  if (typeof ref !== 'string' || typeof after !== 'string' || !SHA.test(after) || typeof fullName !== 'string')
    return null;
  const repositoryId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
  return {
    ref,
    after,
    deleted: deleted === true || /^0{40}$/.test(after),
    repository: fullName,
    ...(repositoryId === undefined ? {} : { repositoryId }),
  };
}

/**
 * Whether a push is to the connected repository. GitHub's repository id decides when both sides
 * have one: a name can change hands (renamed, transferred, deleted and created again) while the id
 * stays with the repository. Connections without an id (declared in configuration) go by name.
 */
function sameRepository(connection: Connection, push: PushFacts): 'same' | 'renamed' | 'other' {
  const sameName = push.repository.toLowerCase() === connection.repository.toLowerCase();
  if (connection.repositoryId === undefined || push.repositoryId === undefined) return sameName ? 'same' : 'other';
  if (push.repositoryId !== connection.repositoryId) return 'other';
  return sameName ? 'same' : 'renamed';
}
