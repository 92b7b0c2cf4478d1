import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectScope } from '../../../src/domain/ConnectScope';
import { DisconnectScope } from '../../../src/domain/DisconnectScope';
import type { Scope } from '../../../src/domain/Scope';
import { connectionWorld, READ_ONLY, type ConnectionWorld } from '../../support/connectionWorld';

const ORG = 'org-1' as Scope;
const REPO = 'acme/scripts';
const TOKEN = 'ghp_admin';

describe('DisconnectScope', () => {
  let world: ConnectionWorld;
  const disconnect = (scope: Scope = ORG) => new DisconnectScope(world).execute({ scope });
  const connectAndSync = async (token = TOKEN) => {
    const connected = await new ConnectScope(world).execute({ scope: ORG, repository: REPO, branch: 'main', subPath: '', token, webhookBaseUrl: 'https://sync.example.com' });
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
    expect(result).toMatchObject({ ok: true, webhook: { kind: 'removed', id: (connection.webhook as { id: number }).id } });
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
    expect(result).toMatchObject({ ok: true, webhook: { kind: 'not-removed', reason: expect.stringContaining('Unavailable') } });
    expect(await world.metadata.getConnection(ORG)).toBeNull();
    expect(world.admin.webhooks(REPO)).toHaveLength(1);
  });

  it('says a webhook set up by hand must be removed by hand', async () => {
    world.publish(REPO, 'ghp_reader', READ_ONLY);
    await connectAndSync('ghp_reader');
    expect(await disconnect()).toMatchObject({ ok: true, webhook: { kind: 'manual', message: expect.stringContaining('by hand') } });
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
    const late = await world.syncWorkspace().execute({ scope: ORG, trigger: 'push', deliveryId: 'late', requestedAt: world.clock.now().toISOString() });
    expect(late).toEqual({ kind: 'skipped', reason: 'NoConnection' });
    expect(await world.read('orgs/org-1/run.ps1')).toBe('run');
    expect(await world.read('orgs/org-1/new.ps1')).toBeNull();
  });
});
