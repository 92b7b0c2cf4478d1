import { createHmac, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { OctokitSignatureVerifier } from '../../../src/adapters/webhooks/OctokitSignatureVerifier';
import type { Connection } from '../../../src/domain/connections/Connection';
import { ConnectScope, type ConnectScopeInput } from '../../../src/domain/connections/ConnectScope';
import { GLOBAL_SCOPE, type Scope } from '../../../src/domain/shared/Scope';
import { ReceiveGitHubWebhook, type WebhookOutcome } from '../../../src/domain/sync/ReceiveGitHubWebhook';
import { captureLogger } from '../../support/captureLogger';
import { type ConnectionWorld, connectionWorld, READ_ONLY } from '../../support/connectionWorld';

const ORG = 'org-1' as Scope;
const REPO = 'acme/scripts';
const TOKEN = 'ghp_admin';

describe('ConnectScope', () => {
  let world: ConnectionWorld;
  const connect = (input: Partial<ConnectScopeInput> = {}, metadata = world.metadata) =>
    new ConnectScope({ ...world, metadata }).execute({
      scope: ORG,
      repository: REPO,
      branch: 'main',
      subPath: '',
      token: TOKEN,
      webhookBaseUrl: 'https://sync.example.com/',
      ...input,
    });

  /** Nothing was stored, registered or queued. */
  const expectUntouched = async (): Promise<void> => {
    expect(await world.metadata.listConnections()).toEqual([]);
    expect(await world.secrets.get(`github-token-${ORG}`)).toBeNull();
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(world.queue.sent).toEqual([]);
  };

  beforeEach(() => {
    world = connectionWorld();
    world.publish(REPO, TOKEN);
    world.commit(REPO, { 'run.ps1': 'Write-Host 1', 'scripts/a.py': 'a', 'scripts/lib/b.py': 'b' });
  });

  it('stores the token and a new webhook secret, registers the webhook, saves the connection and queues the first sync', async () => {
    const result = await connect();
    if (!result.ok) throw new Error(result.message);
    const { connection, webhook, sync } = result;

    const [hook] = world.admin.webhooks(REPO);
    expect(webhook).toEqual({ mode: 'automatic', id: hook!.id });
    expect(hook).toMatchObject({
      url: 'https://sync.example.com/api/github/webhook/org-1',
      events: ['push'],
      contentType: 'json',
      active: true,
    });
    const secret = await world.secrets.get(connection.webhookSecretRef);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(hook!.secret).toBe(secret);
    expect(await world.secrets.get(connection.tokenRef)).toBe(TOKEN);
    expect(connection).toEqual({
      scope: ORG,
      repository: REPO,
      repositoryId: world.admin.repositoryId(REPO),
      branch: 'main',
      subPath: '',
      tokenRef: 'github-token-org-1',
      webhookSecretRef: 'webhook-secret-org-1',
      enabled: true,
      webhook: { mode: 'automatic', id: hook!.id },
      createdAt: world.clock.now(),
      updatedAt: world.clock.now(),
    } satisfies Connection);
    expect(await world.metadata.getConnection(ORG)).toEqual(connection);
    expect(JSON.stringify(connection)).not.toContain(TOKEN);
    expect(JSON.stringify(connection)).not.toContain(secret);

    expect(world.queue.sent).toEqual([
      { scope: ORG, trigger: 'connect', deliveryId: 'connect-id-1', requestedAt: world.clock.now().toISOString() },
    ]);
    expect(sync).toEqual({ queued: true, deliveryId: 'connect-id-1' });
  });

  it('gives each connect a fresh delivery id and webhook secret', async () => {
    const first = await connect();
    world.publish('acme/other', TOKEN);
    world.commit('acme/other', { 'x.txt': 'x' });
    const second = await connect({ scope: GLOBAL_SCOPE, repository: 'acme/other' });
    if (!first.ok || !second.ok) throw new Error('connect failed');
    expect([first.sync, second.sync]).toEqual([
      { queued: true, deliveryId: 'connect-id-1' },
      { queued: true, deliveryId: 'connect-id-2' },
    ]);
    expect(await world.secrets.get(second.connection.webhookSecretRef)).not.toBe(
      await world.secrets.get(first.connection.webhookSecretRef),
    );
    expect(second.connection.tokenRef).not.toBe(first.connection.tokenRef);
  });

  it('hands out the URL and secret for a manual webhook when the token may not administer the repository', async () => {
    world.publish(REPO, 'ghp_reader', READ_ONLY);
    const result = await connect({ token: 'ghp_reader' });
    if (!result.ok) throw new Error(result.message);
    expect(result.webhook).toEqual({
      mode: 'manual',
      url: 'https://sync.example.com/api/github/webhook/org-1',
      secret: await world.secrets.get(result.connection.webhookSecretRef),
      reason: expect.stringContaining('may not administer'),
    });
    expect(result.connection.webhook).toEqual({ mode: 'manual' });
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(world.queue.sent).toHaveLength(1);
  });

  it('falls back to a manual webhook, saying why, when GitHub refuses to register it', async () => {
    world.admin.failNext('Unavailable', 1, 'createWebhook');
    const result = await connect();
    if (!result.ok) throw new Error(result.message);
    expect(result.webhook).toMatchObject({
      mode: 'manual',
      reason: expect.stringMatching(/did not register the webhook.*Unavailable/),
    });
    expect(result.connection.webhook).toEqual({ mode: 'manual' });
  });

  it.each([
    ['InvalidRepository', { repository: 'acme' }],
    ['InvalidRepository', { repository: 'acme/../etc' }],
    ['InvalidBranch', { branch: 'a..b' }],
    ['InvalidBranch', { branch: '' }],
    ['InvalidSubPath', { subPath: '../outside' }],
    ['InvalidSubPath', { subPath: 'a/con/b' }],
  ] as const)('refuses %s (%j) without asking GitHub', async (code, input) => {
    const result = await connect(input);
    expect(result).toMatchObject({ ok: false, code, retryable: false });
    expect(world.admin.requestCount + world.sources.requestCount).toBe(0);
    await expectUntouched();
  });

  it('refuses a scope that is already connected', async () => {
    expect((await connect()).ok).toBe(true);
    world.queue.sent.length = 0;
    expect(await connect({ branch: 'other' })).toMatchObject({ ok: false, code: 'ConnectionExists' });
    expect(world.queue.sent).toEqual([]);
  });

  describe('checks against GitHub, changing nothing when one fails', () => {
    it('TokenRejected for a token GitHub does not accept, or none', async () => {
      expect(await connect({ token: 'ghp_unknown' })).toMatchObject({ ok: false, code: 'TokenRejected' });
      expect(await connect({ token: '' })).toMatchObject({ ok: false, code: 'TokenRejected' });
      await expectUntouched();
    });

    it('RepositoryNotFound for a missing repository and for a private one the token cannot see, saying so', async () => {
      world.outsider('ghp_outsider');
      const hidden = await connect({ token: 'ghp_outsider' });
      expect(hidden).toMatchObject({
        ok: false,
        code: 'RepositoryNotFound',
        message: expect.stringContaining('private repository the token cannot see'),
      });
      expect(await connect({ repository: 'acme/missing' })).toMatchObject({ ok: false, code: 'RepositoryNotFound' });
      await expectUntouched();
    });

    it('InsufficientPermissions when the token sees the repository but may not read it', async () => {
      world.publish(REPO, 'ghp_blind', { pull: false, push: false, admin: false });
      expect(await connect({ token: 'ghp_blind' })).toMatchObject({ ok: false, code: 'InsufficientPermissions' });
      await expectUntouched();
    });

    it('BranchNotFound for a branch the repository does not have', async () => {
      expect(await connect({ branch: 'release' })).toMatchObject({
        ok: false,
        code: 'BranchNotFound',
        message: expect.stringContaining("'release'"),
      });
      await expectUntouched();
    });

    it('SubPathNotFound for a folder that does not exist at the head, or is a file', async () => {
      expect(await connect({ subPath: 'nope' })).toMatchObject({ ok: false, code: 'SubPathNotFound' });
      expect(await connect({ subPath: 'run.ps1' })).toMatchObject({ ok: false, code: 'SubPathNotFound' });
      await expectUntouched();
    });

    it('GitHubUnavailable, retryable, when GitHub cannot be reached or rate-limits us', async () => {
      world.admin.failNext('Unavailable');
      expect(await connect()).toMatchObject({ ok: false, code: 'GitHubUnavailable', retryable: true });
      world.sources.failNext('RateLimited', 1, { operation: 'branchHead', retryAfterMs: 30_000 });
      expect(await connect()).toMatchObject({
        ok: false,
        code: 'GitHubUnavailable',
        retryable: true,
        retryAfterMs: 30_000,
      });
      world.sources.failNext('Unavailable', 1, { operation: 'tree' });
      expect(await connect({ subPath: 'scripts' })).toMatchObject({
        ok: false,
        code: 'GitHubUnavailable',
        retryable: true,
      });
      await expectUntouched();
    });
  });

  it('stores the sub-path in normal form', async () => {
    const result = await connect({ subPath: '/scripts/lib/' });
    expect(result).toMatchObject({ ok: true, connection: { subPath: 'scripts/lib' } });
    const root = await connect({ scope: GLOBAL_SCOPE, subPath: '/' });
    expect(root).toMatchObject({ ok: true, connection: { subPath: '' } });
  });

  it('asks for confirmation when the scope folder already holds files, and goes ahead once confirmed', async () => {
    await world.write('orgs/org-1/old.ps1', 'old');
    await world.write('orgs/org-1/lib/keep.py', 'keep');
    await world.write('orgs/org-10/other.ps1', 'not this scope');
    const refused = await connect();
    expect(refused).toMatchObject({ ok: false, code: 'ConfirmationRequired', fileCount: 2, retryable: false });
    await expectUntouched();
    expect(await connect({ confirmOverwrite: true })).toMatchObject({ ok: true });
  });

  it('needs no confirmation for a folder holding only empty folders', async () => {
    await world.files.createDirectory('orgs/org-1/empty/inner');
    expect(await connect()).toMatchObject({ ok: true });
  });

  it('discards a manifest left by an earlier connection, so the first sync compares with the folder', async () => {
    await world.metadata.saveManifest({
      scope: ORG,
      commitSha: 'f'.repeat(40),
      entries: new Map([['stale.txt', { sha: 'a'.repeat(40), size: 1, mode: '100644' }]]),
    });
    expect((await connect()).ok).toBe(true);
    expect(await world.metadata.getManifest(ORG)).toBeNull();
  });

  it('keeps the connection when the first sync cannot be queued, and says the reconcile will sync', async () => {
    world.queue.failNext();
    const result = await connect();
    expect(result).toMatchObject({ ok: true, sync: { queued: false, reason: expect.stringContaining('reconcile') } });
    expect(await world.metadata.getConnection(ORG)).not.toBeNull();
  });

  it('removes the webhook it registered when the connection cannot be saved', async () => {
    class BrokenStore extends InMemoryMetadataRepo {
      override async saveConnection(): Promise<void> {
        throw new Error('metadata store down');
      }
    }
    await expect(connect({}, new BrokenStore())).rejects.toThrow('metadata store down');
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(world.queue.sent).toEqual([]);
  });

  it('saves the connection before registering the hook, so the ping GitHub sends a new hook at once is answered', async () => {
    const answers: WebhookOutcome[] = [];
    const receive = new ReceiveGitHubWebhook({
      metadata: world.metadata,
      secrets: world.secrets,
      verifier: new OctokitSignatureVerifier(),
      queue: world.queue,
      clock: world.clock,
      logger: captureLogger().logger,
    });
    world.admin.onWebhookCreated(async (hook) => {
      const payload = JSON.stringify({ zen: 'Design for failure.', hook_id: hook.id });
      const signature = `sha256=${createHmac('sha256', hook.secret).update(payload).digest('hex')}`;
      answers.push(await receive.execute({ scope: ORG, event: 'ping', deliveryId: randomUUID(), signature, payload }));
    });
    const result = await connect();
    expect(result.ok).toBe(true);
    expect(answers).toEqual([{ kind: 'pong' }]);
  });

  it('removes the hook and the connection when the hook id cannot be noted on the connection', async () => {
    class FailsSecondSave extends InMemoryMetadataRepo {
      saves = 0;
      override async saveConnection(connection: Connection): Promise<void> {
        if (++this.saves === 2) throw new Error('metadata store down');
        await super.saveConnection(connection);
      }
    }
    const metadata = new FailsSecondSave();
    await expect(connect({}, metadata)).rejects.toThrow('metadata store down');
    expect(world.admin.webhooks(REPO)).toEqual([]);
    expect(await metadata.listConnections()).toEqual([]);
    expect(world.queue.sent).toEqual([]);
  });

  it('the queued first sync mirrors the branch into the scope folder', async () => {
    const result = await connect({ subPath: 'scripts' });
    if (!result.ok) throw new Error(result.message);
    const run = await world.syncWorkspace().execute(world.queue.sent[0]!);
    expect(run).toMatchObject({
      kind: 'completed',
      runs: [{ status: 'succeeded', trigger: 'connect', counts: { written: 2 } }],
    });
    expect(await world.read('orgs/org-1/lib/b.py')).toBe('b');
    expect(await world.read('orgs/org-1/run.ps1')).toBeNull();
  });
});
