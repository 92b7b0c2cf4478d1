import { beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/domain/connections/Connection';
import { UpdateConnection, type UpdateConnectionInput } from '../../../src/domain/connections/UpdateConnection';
import type { Scope } from '../../../src/domain/shared/Scope';
import { type ConnectionWorld, connectionWorld, READ_ONLY } from '../../support/connectionWorld';
import { aConnection, aSyncCommand } from '../../support/mothers';

const ORG = 'org-1' as Scope;
const REPO = 'acme/scripts';
const TOKEN = 'ghp_first';

describe('UpdateConnection', () => {
  let world: ConnectionWorld;
  let original: Connection;
  const update = (input: Omit<UpdateConnectionInput, 'scope'>, scope: Scope = ORG) =>
    new UpdateConnection(world).execute({ scope, ...input });
  const stored = async () => (await world.metadata.getConnection(ORG))!;

  beforeEach(async () => {
    world = connectionWorld();
    world.publish(REPO, TOKEN);
    world.commit(REPO, { 'a/one.ps1': '1', 'b/two.ps1': '2', 'root.ps1': 'r' });
    world.commit(REPO, { 'a/one.ps1': '1', 'rel.ps1': 'release' }, 'release');
    await world.secrets.set('github-token-org-1', TOKEN);
    original = aConnection({
      scope: ORG,
      repository: REPO,
      subPath: 'a',
      tokenRef: 'github-token-org-1',
      webhookSecretRef: 'webhook-secret-org-1',
      webhook: { mode: 'automatic', id: 7 },
      lastSyncedCommit: 'c'.repeat(40),
      lastSyncOutcome: 'succeeded',
      branchDeletedAt: new Date('2025-02-01T00:00:00Z'),
    });
    await world.metadata.saveConnection(original);
    world.clock.advance(60_000);
  });

  it('answers NotConnected for a scope without a connection', async () => {
    expect(await update({ enabled: false }, 'org-2' as Scope)).toMatchObject({ ok: false, code: 'NotConnected' });
  });

  it('moves to another branch after checking it, discards the manifest and queues a sync', async () => {
    await world.metadata.saveManifest({ scope: ORG, commitSha: 'c'.repeat(40), entries: new Map() });
    const result = await update({ branch: 'release', subPath: '' });
    if (!result.ok) throw new Error(result.message);
    const { branchDeletedAt: _gone, ...rest } = original;
    expect(result.connection).toEqual({ ...rest, branch: 'release', subPath: '', updatedAt: world.clock.now() });
    expect(await stored()).toEqual(result.connection);
    expect(await world.metadata.getManifest(ORG)).toBeNull();
    // id-1 named the change's hold on the scope; the sync it queued has the next one.
    expect(world.queue.sent).toEqual([
      aSyncCommand({
        scope: ORG,
        trigger: 'manual',
        deliveryId: 'manual-id-2',
        requestedAt: world.clock.now().toISOString(),
      }),
    ]);
    expect(result.sync).toEqual({ queued: true, deliveryId: 'manual-id-2' });
  });

  it.each([
    ['InvalidBranch', { branch: 'bad..name' }],
    ['InvalidSubPath', { subPath: 'a/../..' }],
    ['BranchNotFound', { branch: 'nope' }],
    ['SubPathNotFound', { subPath: 'b', branch: 'release' }],
    ['SubPathNotFound', { subPath: 'missing' }],
  ] as const)('refuses %s (%j) and changes nothing', async (code, input) => {
    expect(await update(input)).toMatchObject({ ok: false, code });
    expect(await stored()).toEqual(original);
    expect(world.queue.sent).toEqual([]);
  });

  it('reports GitHub being unreachable as retryable, changing nothing', async () => {
    world.sources.failNext('Unavailable', 1, { operation: 'branchHead' });
    expect(await update({ branch: 'release' })).toMatchObject({
      ok: false,
      code: 'GitHubUnavailable',
      retryable: true,
    });
    expect(await stored()).toEqual(original);
  });

  it('rotates the token after checking it, under the same reference, without a sync', async () => {
    world.publish(REPO, 'ghp_second');
    const result = await update({ token: 'ghp_second' });
    expect(result).toMatchObject({ ok: true, sync: null, connection: { tokenRef: 'github-token-org-1' } });
    expect(await world.secrets.get('github-token-org-1')).toBe('ghp_second');
    expect((await stored()).updatedAt).toEqual(world.clock.now());
    expect(world.queue.sent).toEqual([]);
  });

  it.each([
    ['TokenRejected', 'ghp_unknown', () => {}],
    ['TokenRejected', '', () => {}],
    ['RepositoryNotFound', 'ghp_outsider', (w: ConnectionWorld) => w.outsider('ghp_outsider')],
    [
      'InsufficientPermissions',
      'ghp_blind',
      (w: ConnectionWorld) => w.publish(REPO, 'ghp_blind', { pull: false, push: false, admin: false }),
    ],
  ] as const)('keeps the stored token when the new one fails with %s', async (code, token, setup) => {
    setup(world);
    expect(await update({ token })).toMatchObject({ ok: false, code });
    expect(await world.secrets.get('github-token-org-1')).toBe(TOKEN);
    expect(await stored()).toEqual(original);
  });

  it('checks a new target with the new token when both change', async () => {
    world.publish(REPO, 'ghp_reader', READ_ONLY);
    expect(await update({ token: 'ghp_reader', branch: 'gone' })).toMatchObject({ ok: false, code: 'BranchNotFound' });
    expect(await world.secrets.get('github-token-org-1')).toBe(TOKEN);
    expect(await update({ token: 'ghp_reader', branch: 'release' })).toMatchObject({
      ok: true,
      connection: { branch: 'release' },
    });
    expect(await world.secrets.get('github-token-org-1')).toBe('ghp_reader');
  });

  it('answers TokenMissing when the target changes and the stored token is gone', async () => {
    await world.metadata.saveConnection({ ...original, tokenRef: 'not-stored' });
    expect(await update({ branch: 'release' })).toMatchObject({ ok: false, code: 'TokenMissing' });
  });

  it('disables without a sync, and queues one when enabled again', async () => {
    expect(await update({ enabled: false })).toMatchObject({ ok: true, sync: null, connection: { enabled: false } });
    expect(world.queue.sent).toEqual([]);
    expect(await update({ branch: 'release' })).toMatchObject({
      ok: true,
      sync: null,
      connection: { enabled: false, branch: 'release' },
    });
    const enabled = await update({ enabled: true });
    expect(enabled).toMatchObject({ ok: true, sync: { queued: true }, connection: { enabled: true } });
    expect(world.queue.sent.map((command) => command.trigger)).toEqual(['manual']);
  });

  it('changes nothing, not even the time, when nothing differs', async () => {
    expect(await update({ branch: 'main', subPath: '/a/', enabled: true })).toEqual({
      ok: true,
      connection: original,
      sync: null,
    });
    expect(await stored()).toEqual(original);
    expect(world.admin.requestCount + world.sources.requestCount).toBe(0);
  });

  it('answers SyncInProgress, retryable, while a sync holds the scope', async () => {
    const lease = await world.metadata.acquireLease(ORG, 'worker-1', world.clock.now(), 20_000);
    expect(lease.kind).toBe('acquired');
    const result = await update({ enabled: false });
    expect(result).toMatchObject({ ok: false, code: 'SyncInProgress', retryable: true, retryAfterMs: 20_000 });
    expect(await stored()).toEqual(original);
  });

  it('leaves the scope free for the next sync', async () => {
    await update({ enabled: false });
    expect((await world.metadata.acquireLease(ORG, 'worker-1', world.clock.now(), 1_000)).kind).toBe('acquired');
  });

  it('after a sub-path change the next sync mirrors the new folder, even at the same commit', async () => {
    const sync = world.syncWorkspace();
    const first = await sync.execute(
      aSyncCommand({ scope: ORG, trigger: 'manual', requestedAt: world.clock.now().toISOString() }),
    );
    expect(first).toMatchObject({ kind: 'completed', runs: [{ status: 'succeeded' }] });
    expect(await world.read('orgs/org-1/one.ps1')).toBe('1');

    const result = await update({ subPath: 'b' });
    if (!result.ok) throw new Error(result.message);
    await sync.execute(world.queue.sent[0]!);
    expect(await world.read('orgs/org-1/two.ps1')).toBe('2');
    expect(await world.read('orgs/org-1/one.ps1')).toBeNull();
  });
});
