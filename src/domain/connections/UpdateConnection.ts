import type { Clock } from '../../ports/Clock';
import type { CommandQueue } from '../../ports/CommandQueue';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { LeaseRepo } from '../../ports/LeaseRepo';
import type { ManifestRepo } from '../../ports/ManifestRepo';
import type { RepositoryAdmin } from '../../ports/RepositoryAdmin';
import type { SecretStore } from '../../ports/SecretStore';
import type { SourceRepositoryFactory } from '../../ports/SourceRepository';
import type { Scope } from '../shared/Scope';
import { requestSync, type SyncRequest } from '../sync/RequestSync';
import type { Connection } from './Connection';
import { type ConnectionFailure, type ConnectionFailureCode, failure } from './ConnectionFailure';
import { checkAccess, checkBranch, normalizeSubPath, readTarget } from './ConnectionTarget';
import { holdScope } from './HoldScope';
import { tokenMissingMessage } from './TokenMissing';

/** Fields left out stay as they are. */
export interface UpdateConnectionInput {
  readonly scope: Scope;
  readonly branch?: string;
  readonly subPath?: string;
  readonly enabled?: boolean;
  /** A new token (rotation): checked against the repository before it replaces the stored one. */
  readonly token?: string;
}

interface UpdateConnectionSuccess {
  readonly ok: true;
  readonly connection: Connection;
  /** Queued when the branch or sub-path changed or the connection was enabled again; else null. */
  readonly sync: SyncRequest | null;
}

/** Every code an update can fail with: the result type and the route's documentation both derive from it. */
export const UPDATE_CONNECTION_FAILURES = [
  'NotConnected',
  'InvalidBranch',
  'InvalidSubPath',
  'TokenRejected',
  'TokenMissing',
  'RepositoryNotFound',
  'InsufficientPermissions',
  'BranchNotFound',
  'SubPathNotFound',
  'GitHubUnavailable',
  'SyncInProgress',
] as const satisfies readonly ConnectionFailureCode[];

export type UpdateConnectionFailureCode = (typeof UPDATE_CONNECTION_FAILURES)[number];

export type UpdateConnectionResult = UpdateConnectionSuccess | ConnectionFailure<UpdateConnectionFailureCode>;

export interface UpdateConnectionDeps {
  readonly metadata: ConnectionRepo & ManifestRepo & LeaseRepo;
  readonly sources: SourceRepositoryFactory;
  readonly admin: RepositoryAdmin;
  readonly secrets: SecretStore;
  readonly queue: CommandQueue;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/**
 * Changes a connection's branch, sub-path, enabled flag or token. What changed is checked against
 * GitHub first; the change is written while holding the scope, so no sync runs across it.
 */
export class UpdateConnection {
  constructor(private readonly deps: UpdateConnectionDeps) {}

  async execute(input: UpdateConnectionInput): Promise<UpdateConnectionResult> {
    const { metadata, clock } = this.deps;
    const current = await metadata.getConnection(input.scope);
    if (!current) return notConnected(input.scope);

    if (input.branch !== undefined) {
      const invalid = checkBranch(input.branch);
      if (invalid) return invalid;
    }
    let subPath = current.subPath;
    if (input.subPath !== undefined) {
      const normalized = normalizeSubPath(input.subPath);
      if (!normalized.ok) return normalized;
      subPath = normalized.subPath;
    }
    const branch = input.branch ?? current.branch;
    const targetChanged = branch !== current.branch || subPath !== current.subPath;

    const enabledChanged = input.enabled !== undefined && input.enabled !== current.enabled;
    if (!targetChanged && !enabledChanged && input.token === undefined)
      return { ok: true, connection: current, sync: null };

    const checked = await this.check(current, { branch, subPath }, input.token, targetChanged);
    if (checked) return checked;

    const outcome = await holdScope(this.deps, input.scope, async () => {
      const latest = await metadata.getConnection(input.scope);
      if (!latest) return null;
      const tokenRef =
        input.token === undefined ? latest.tokenRef : await this.deps.secrets.set(latest.tokenRef, input.token);
      const { branchDeletedAt: _deleted, ...kept } = latest;
      const updated: Connection = {
        ...(targetChanged ? kept : latest),
        branch,
        subPath,
        tokenRef,
        enabled: input.enabled ?? latest.enabled,
        updatedAt: clock.now(),
      };
      await metadata.saveConnection(updated);
      // The manifest describes the old target; the next sync must compare with the folder itself.
      if (targetChanged) await metadata.deleteManifest(input.scope);
      return { updated, reEnabled: !latest.enabled && updated.enabled };
    });
    if (!outcome.held) {
      return failure(
        'SyncInProgress',
        `a sync of scope ${input.scope} is running; try again shortly`,
        outcome.retryAfterMs,
      );
    }
    if (outcome.value === null) return notConnected(input.scope);

    const { updated, reEnabled } = outcome.value;
    const sync =
      updated.enabled && (targetChanged || reEnabled) ? await requestSync(this.deps, input.scope, 'manual') : null;
    return { ok: true, connection: updated, sync };
  }

  /** Checks a new token, and a new target with the token that will read it; null when all is well. */
  private async check(
    current: Connection,
    target: { branch: string; subPath: string },
    newToken: string | undefined,
    targetChanged: boolean,
  ): Promise<ConnectionFailure<UpdateConnectionFailureCode> | null> {
    if (newToken === undefined && !targetChanged) return null;
    let token = newToken;
    if (token !== undefined) {
      const access = await checkAccess(this.deps.admin, { repository: current.repository, token });
      if (!access.ok) return access;
    } else {
      token = (await this.deps.secrets.get(current.tokenRef)) ?? '';
      if (token === '') {
        return failure(
          'TokenMissing',
          `${tokenMissingMessage(current.scope, current.tokenRef, this.deps.secrets)}; give a new token with the change`,
        );
      }
    }
    const read = await readTarget(
      this.deps.sources,
      { repository: current.repository, token },
      { repository: current.repository, ...target },
      false,
    );
    return read.ok ? null : read;
  }
}

function notConnected(scope: Scope): ConnectionFailure<'NotConnected'> {
  return failure('NotConnected', `scope ${scope} is not connected to GitHub`);
}
