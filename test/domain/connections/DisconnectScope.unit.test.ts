import { beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/domain/connections/Connection';
import { connectionSecretNames } from '../../../src/domain/connections/ConnectionSecrets';
import { ConnectScope } from '../../../src/domain/connections/ConnectScope';
import { DisconnectScope } from '../../../src/domain/connections/DisconnectScope';
import type { Scope } from '../../../src/domain/shared/Scope';
import { type SecretStore, SecretStoreReadOnlyError } from '../../../src/ports/SecretStore';
import { type ConnectionWorld, connectionWorld, READ_ONLY } from '../../support/connectionWorld';
import { aConnection, aSyncCommand } from '../../support/mothers';

/** The world's secrets, with deletes (of all refs, or of the listed ones) refused as `refuse` says. */
class RefusingDeletes implements SecretStore {
  readonly deleted: string[] = [];

  constructor(
    private readonly inner: SecretStore,
    private readonly refuse: (ref: string) => Error | null,
  ) {}

  get(ref: string): Promise<string | null> {
    return this.inner.get(ref);
  }

  set(name: string, value: string): Promise<string> {
    return this.inner.set(name, value);
  }

  locate(ref: string): string {
    return this.inner.locate(ref);
  }

  async delete(ref: string): Promise<void> {
    const refusal = this.refuse(ref);
    if (refusal) throw refusal;
    this.deleted.push(ref);
    await this.inner.delete(ref);
  }
}

const ORG = 'org-1' as Scope;
const REPO = 'acme/scripts';
const TOKEN = 'ghp_admin';

describe('DisconnectScope', () => {
  let world: ConnectionWorld;
  const disconnect = (scope: Scope = ORG) => new DisconnectScope(world).execute({ scope });
  const connectAndSync = async (token = TOKEN) => {
    const connected = await new ConnectScope(world).execute({
      scope: ORG,
      repository: REPO,
      branch: 'main',
      subPath: '',
      token,
      webhookBaseUrl: 'https://sync.example.com',
    });
    if (!connected.ok) throw new Error(connected.message);
    await world.syncWorkspace().execute(world.queue.sent[0]!);
    return connected.connection;
  };

  beforeEach(() => {
    world = connectionWorld();
    world.publish(REPO, TOKEN);
    world.commit(REPO, { 'run.ps1': 'run', 'lib/util.ps1': 'util' });
  });

  it('answers NotConnected for a scope without a connection', async () => {
    expect(await disconnect()).toMatchObject({ ok: false, code: 'NotConnected', retryable: false });
  });

  it('removes the webhook it registered, the connection and the manifest, and keeps the files', async () => {
    const connection = await connectAndSync();
    expect(world.admin.webhooks(REPO)).toHaveLength(1);
    expect(await world.metadata.getManifest(ORG)).not.toBeNull();

    const result = await disconnect();
    expect(result).toMatchObject({
      ok: true,
      webhook: { kind: 'removed', id: (connection.webhook as { id: number }).id },
    });
    expect(result.ok && result.connection.scope).toBe(ORG);
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(await world.metadata.getConnection(ORG)).toBeNull();
    expect(await world.metadata.getManifest(ORG)).toBeNull();
    expect(await world.read('orgs/org-1/run.ps1')).toBe('run');
    expect(await world.read('orgs/org-1/lib/util.ps1')).toBe('util');
  });

  it('still disconnects when GitHub cannot remove the webhook, and says so', async () => {
    await connectAndSync();
    world.admin.failNext('Unavailable', 1, 'deleteWebhook');
    const result = await disconnect();
    expect(result).toMatchObject({
      ok: true,
      webhook: { kind: 'not-removed', reason: expect.stringContaining('Unavailable') },
    });
    expect(await world.metadata.getConnection(ORG)).toBeNull();
    expect(world.admin.webhooks(REPO)).toHaveLength(1);
  });

  it('says a webhook set up by hand must be removed by hand', async () => {
    world.publish(REPO, 'ghp_reader', READ_ONLY);
    await connectAndSync('ghp_reader');
    expect(await disconnect()).toMatchObject({
      ok: true,
      webhook: { kind: 'manual', message: expect.stringContaining('by hand') },
    });
    expect(world.admin.requestCount).toBe(1); // the inspect at connect time only
  });

  it('answers SyncInProgress while a sync holds the scope, and deletes nothing', async () => {
    await connectAndSync();
    await world.metadata.acquireLease(ORG, 'worker-2', world.clock.now(), 60_000);
    expect(await disconnect()).toMatchObject({ ok: false, code: 'SyncInProgress', retryable: true });
    expect(await world.metadata.getConnection(ORG)).not.toBeNull();
    expect(world.admin.webhooks(REPO)).toHaveLength(1);
  });

  it('a sync queued before the disconnect finds nothing to do afterwards', async () => {
    await connectAndSync();
    await disconnect();
    world.commit(REPO, { 'new.ps1': 'new' });
    const late = await world
      .syncWorkspace()
      .execute(aSyncCommand({ scope: ORG, deliveryId: 'late', requestedAt: world.clock.now().toISOString() }));
    expect(late).toEqual({ kind: 'skipped', reason: 'NoConnection' });
    expect(await world.read('orgs/org-1/run.ps1')).toBe('run');
    expect(await world.read('orgs/org-1/new.ps1')).toBeNull();
  });

  describe('secrets', () => {
    const NAMES = connectionSecretNames(ORG);

    /** A connection as configuration declares it: secrets by whatever reference the operator chose. */
    const declared = (scope: Scope, tokenRef: string, webhookSecretRef: string): Connection =>
      aConnection({
        scope,
        repository: REPO,
        tokenRef,
        webhookSecretRef,
        createdAt: world.clock.now(),
        updatedAt: world.clock.now(),
      });

    it('deletes the token and webhook secret connecting stored, after using the token to remove the webhook', async () => {
      await world.secrets.set('GITHUB_TOKEN', 'ghp_shared');
      await world.secrets.set(connectionSecretNames('org-2' as Scope).token, 'ghp_other_scope');
      await connectAndSync();
      expect(await world.secrets.get(NAMES.token)).toBe(TOKEN);
      expect(await world.secrets.get(NAMES.webhookSecret)).not.toBeNull();

      const result = await disconnect();
      expect(result).toMatchObject({
        ok: true,
        webhook: { kind: 'removed' },
        secrets: { removed: [NAMES.token, NAMES.webhookSecret], kept: [] },
      });
      expect(world.admin.webhooks(REPO)).toEqual([]);
      expect(await world.secrets.get(NAMES.token)).toBeNull();
      expect(await world.secrets.get(NAMES.webhookSecret)).toBeNull();
      expect(await world.secrets.get('GITHUB_TOKEN')).toBe('ghp_shared');
      expect(await world.secrets.get(connectionSecretNames('org-2' as Scope).token)).toBe('ghp_other_scope');
    });

    it('never deletes secrets a connection declared in configuration refers to, shared or not', async () => {
      await world.secrets.set('GITHUB_TOKEN', 'ghp_shared');
      await world.secrets.set('WEBHOOK_SECRET', 'shared-hook-secret');
      await world.metadata.saveConnection(declared(ORG, 'GITHUB_TOKEN', 'WEBHOOK_SECRET'));
      await world.metadata.saveConnection(declared('org-2' as Scope, 'GITHUB_TOKEN', 'WEBHOOK_SECRET'));
      const secrets = new RefusingDeletes(world.secrets, () => null);

      const result = await new DisconnectScope({ ...world, secrets }).execute({ scope: ORG });
      expect(result).toMatchObject({
        ok: true,
        secrets: {
          removed: [],
          kept: [
            { ref: 'GITHUB_TOKEN', reason: expect.stringMatching(/declared in configuration/) },
            { ref: 'WEBHOOK_SECRET', reason: expect.stringMatching(/declared in configuration/) },
          ],
        },
      });
      expect(secrets.deleted).toEqual([]);
      expect(await world.secrets.get('GITHUB_TOKEN')).toBe('ghp_shared');
      expect(await world.secrets.get('WEBHOOK_SECRET')).toBe('shared-hook-secret');
      expect(await world.metadata.getConnection('org-2' as Scope)).not.toBeNull();
    });

    it("deletes only references equal to the scope's own names, not another scope's nor one used twice", async () => {
      const otherNames = connectionSecretNames('org-2' as Scope);
      await world.secrets.set(otherNames.token, 'ghp_other_scope');
      await world.secrets.set(NAMES.webhookSecret, 'own-hook-secret');
      await world.metadata.saveConnection(declared(ORG, otherNames.token, NAMES.webhookSecret));

      const result = await disconnect();
      expect(result).toMatchObject({
        ok: true,
        secrets: { removed: [NAMES.webhookSecret], kept: [{ ref: otherNames.token }] },
      });
      expect(await world.secrets.get(otherNames.token)).toBe('ghp_other_scope');
      expect(await world.secrets.get(NAMES.webhookSecret)).toBeNull();

      await world.secrets.set('ONE_FOR_BOTH', 'x');
      await world.metadata.saveConnection(declared(ORG, 'ONE_FOR_BOTH', 'ONE_FOR_BOTH'));
      expect(await disconnect()).toMatchObject({ ok: true, secrets: { removed: [], kept: [{ ref: 'ONE_FOR_BOTH' }] } });
    });

    it('still disconnects when the secret store is read-only, and says what was kept', async () => {
      await connectAndSync();
      const secrets = new RefusingDeletes(
        world.secrets,
        (ref) => new SecretStoreReadOnlyError(`EnvSecretStore is read-only: secret '${ref}' cannot be deleted`),
      );

      const result = await new DisconnectScope({ ...world, secrets }).execute({ scope: ORG });
      expect(result).toMatchObject({
        ok: true,
        webhook: { kind: 'removed' },
        secrets: {
          removed: [],
          kept: [
            { ref: NAMES.token, reason: expect.stringMatching(/read-only/) },
            { ref: NAMES.webhookSecret, reason: expect.stringMatching(/read-only/) },
          ],
        },
      });
      expect(await world.metadata.getConnection(ORG)).toBeNull();
      expect(await world.secrets.get(NAMES.token)).toBe(TOKEN);
    });

    it('still disconnects when the store fails to delete one secret, and deletes the other', async () => {
      await connectAndSync();
      const secrets = new RefusingDeletes(world.secrets, (ref) =>
        ref === NAMES.token ? new Error('vault unavailable (HTTP 503)') : null,
      );

      const result = await new DisconnectScope({ ...world, secrets }).execute({ scope: ORG });
      expect(result).toMatchObject({
        ok: true,
        secrets: {
          removed: [NAMES.webhookSecret],
          kept: [{ ref: NAMES.token, reason: expect.stringContaining('vault unavailable (HTTP 503)') }],
        },
      });
      expect(await world.metadata.getConnection(ORG)).toBeNull();
      expect(await world.secrets.get(NAMES.webhookSecret)).toBeNull();
    });

    it('deletes the secrets even when the token cannot be read to remove the webhook', async () => {
      await connectAndSync();
      const secrets = new RefusingDeletes(world.secrets, () => null);
      secrets.get = async () => {
        throw new Error('secret store unreachable');
      };

      const result = await new DisconnectScope({ ...world, secrets }).execute({ scope: ORG });
      expect(result).toMatchObject({
        ok: true,
        webhook: {
          kind: 'not-removed',
          reason: expect.stringMatching(/could not be read from the secret store \(secret store unreachable\)/),
        },
        secrets: { removed: [NAMES.token, NAMES.webhookSecret], kept: [] },
      });
      expect(world.admin.webhooks(REPO)).toHaveLength(1);
    });

    it('deletes no secret while a sync holds the scope', async () => {
      await connectAndSync();
      await world.metadata.acquireLease(ORG, 'worker-2', world.clock.now(), 60_000);
      expect(await disconnect()).toMatchObject({ ok: false, code: 'SyncInProgress' });
      expect(await world.secrets.get(NAMES.token)).toBe(TOKEN);
      expect(await world.secrets.get(NAMES.webhookSecret)).not.toBeNull();
    });

    it('lets the scope connect again with a new token afterwards', async () => {
      await connectAndSync();
      await disconnect();
      world.publish(REPO, 'ghp_new');
      const again = await new ConnectScope(world).execute({
        scope: ORG,
        repository: REPO,
        branch: 'main',
        subPath: '',
        token: 'ghp_new',
        webhookBaseUrl: 'https://sync.example.com',
        confirmOverwrite: true,
      });
      expect(again).toMatchObject({
        ok: true,
        connection: { tokenRef: NAMES.token, webhookSecretRef: NAMES.webhookSecret },
      });
      expect(await world.secrets.get(NAMES.token)).toBe('ghp_new');
    });
  });
});
