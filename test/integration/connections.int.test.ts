import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubRepositoryAdmin } from '../../src/adapters/github/GitHubRepositoryAdmin';
import { GitHubSourceRepositoryFactory } from '../../src/adapters/github/GitHubSourceRepositoryFactory';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../src/adapters/in-memory/InMemorySecretStore';
import { LocalVolumeFileStore } from '../../src/adapters/local-volume/LocalVolumeFileStore';
import { ConnectScope, type ConnectScopeInput } from '../../src/domain/connections/ConnectScope';
import { DisconnectScope } from '../../src/domain/connections/DisconnectScope';
import { PreviewSync } from '../../src/domain/connections/PreviewSync';
import { UpdateConnection } from '../../src/domain/connections/UpdateConnection';
import type { Scope } from '../../src/domain/shared/Scope';
import { SyncWorkspace } from '../../src/domain/sync/SyncWorkspace';
import { ManualClock } from '../doubles/ManualClock';
import { SequentialIdGenerator } from '../doubles/SequentialIdGenerator';
import { captureLogger } from '../support/captureLogger';
import { RecordingQueue } from '../support/connectionWorld';
import { GitHubPeer } from '../support/githubPeer';
import { GitRepo } from '../support/gitRepo';

const ORG = 'org-7' as Scope;
const token = () => `ghp_${randomBytes(18).toString('hex')}`;

/** The connection use cases against the GitHub peer through Octokit, with a real folder on disk. */
describe('connecting scopes to GitHub (GitHub peer)', () => {
  let peer: GitHubPeer;
  let repo: GitRepo;
  let workspace: string;
  const ADMIN = token();
  const READER = token();
  const BLIND = token();
  const OUTSIDER = token();

  let deps: {
    metadata: InMemoryMetadataRepo;
    files: LocalVolumeFileStore;
    sources: GitHubSourceRepositoryFactory;
    admin: GitHubRepositoryAdmin;
    secrets: InMemorySecretStore;
    queue: RecordingQueue;
    clock: ManualClock;
    ids: SequentialIdGenerator;
  };
  const connect = (input: Partial<ConnectScopeInput> = {}) =>
    new ConnectScope(deps).execute({
      scope: ORG,
      repository: 'acme/scripts',
      branch: 'main',
      subPath: 'scripts',
      token: ADMIN,
      webhookBaseUrl: 'https://sync.example.com',
      ...input,
    });
  const sync = () =>
    new SyncWorkspace({
      ...deps,
      logger: captureLogger().logger,
      settings: {
        holderId: 'worker-1',
        leaseTtlMs: 60_000,
        fetchConcurrency: 4,
        archiveThreshold: 1_000,
        maxRounds: 3,
      },
    });

  beforeAll(async () => {
    repo = await GitRepo.create();
    await repo.write('scripts/run.ps1', 'Write-Host run\n');
    await repo.write('scripts/bin/tool.sh', '#!/bin/sh\necho tool\n', { executable: true });
    await repo.write('docs/readme.md', '# docs\n');
    await repo.commit('first');
    await repo.createBranch('release');
    peer = await GitHubPeer.start();
    peer.addToken(OUTSIDER);
    peer.addRepository('acme/scripts', repo, { token: ADMIN, private: true });
    peer.addRepository('acme/readable', repo, {
      token: READER,
      private: true,
      permissions: { admin: false, push: false, pull: true },
    });
    peer.addRepository('acme/blind', repo, {
      token: BLIND,
      private: true,
      permissions: { admin: false, push: false, pull: false },
    });
    workspace = await mkdtemp(join(tmpdir(), 'connections-'));
  });

  afterAll(async () => {
    await peer?.stop();
    await repo?.dispose();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  beforeEach(async () => {
    peer.clearFaults();
    const root = await mkdtemp(join(workspace, 'ws-'));
    deps = {
      metadata: new InMemoryMetadataRepo(),
      files: await LocalVolumeFileStore.open(root),
      sources: new GitHubSourceRepositoryFactory({
        baseUrl: peer.url,
        retries: 1,
        retryBaseDelayMs: 10,
        requestTimeoutMs: 10_000,
      }),
      admin: new GitHubRepositoryAdmin({
        baseUrl: peer.url,
        retries: 1,
        retryBaseDelayMs: 10,
        maxRetryAfterSeconds: 1,
        requestTimeoutMs: 10_000,
      }),
      secrets: new InMemorySecretStore(),
      queue: new RecordingQueue(),
      clock: new ManualClock(),
      ids: new SequentialIdGenerator(),
    };
  });

  it('connect registers the webhook, preview equals the first sync, disconnect removes the webhook and keeps the files', async () => {
    const connected = await connect();
    if (!connected.ok) throw new Error(connected.message);
    const hooks = [...peer.webhooks('acme/scripts')];
    expect(hooks).toHaveLength(1);
    expect(connected.webhook).toEqual({ mode: 'automatic', id: hooks[0]!.id });
    expect(hooks[0]).toMatchObject({
      active: true,
      events: ['push'],
      config: {
        url: 'https://sync.example.com/api/github/webhook/org-7',
        content_type: 'json',
        insecure_ssl: '0',
        secret: await deps.secrets.get(connected.connection.webhookSecretRef),
      },
    });

    const previewed = await new PreviewSync(deps).execute({ scope: ORG });
    expect(previewed).toMatchObject({
      ok: true,
      preview: { newFiles: ['bin/tool.sh', 'run.ps1'], overwrittenFiles: [], deletedFiles: [], unchanged: 0 },
    });
    const result = await sync().execute(deps.queue.sent[0]!);
    expect(result).toMatchObject({
      kind: 'completed',
      runs: [{ status: 'succeeded', counts: { written: 2, deleted: 0, unchanged: 0 } }],
    });
    expect((await deps.files.stat('orgs/org-7/bin/tool.sh'))?.executable).toBe(true);
    expect(await new PreviewSync(deps).execute({ scope: ORG })).toMatchObject({
      ok: true,
      preview: { upToDate: true, unchanged: 2 },
    });

    const disconnected = await new DisconnectScope(deps).execute({ scope: ORG });
    const { tokenRef, webhookSecretRef } = connected.connection;
    expect(disconnected).toMatchObject({
      ok: true,
      webhook: { kind: 'removed', id: hooks[0]!.id },
      secrets: { removed: [tokenRef, webhookSecretRef], kept: [] },
    });
    expect([await deps.secrets.get(tokenRef), await deps.secrets.get(webhookSecretRef)]).toEqual([null, null]);
    expect(peer.webhooks('acme/scripts')).toEqual([]);
    expect(new TextDecoder().decode((await deps.files.read('orgs/org-7/run.ps1'))!)).toBe('Write-Host run\n');
  });

  it('connecting again after a disconnect that could not remove the webhook takes that webhook over', async () => {
    const first = await connect();
    if (!first.ok) throw new Error(first.message);
    peer.injectFault({ kind: 'status', status: 503, times: 5, match: /\/hooks\// });
    expect(await new DisconnectScope(deps).execute({ scope: ORG })).toMatchObject({
      ok: true,
      webhook: { kind: 'not-removed' },
    });
    peer.clearFaults();
    const again = await connect({ confirmOverwrite: true });
    if (!again.ok) throw new Error(again.message);
    expect(again.webhook).toEqual(first.webhook);
    expect(peer.webhooks('acme/scripts')).toHaveLength(1);
    expect(peer.webhooks('acme/scripts')[0]!.config.secret).toBe(
      await deps.secrets.get(again.connection.webhookSecretRef),
    );
    expect(await new DisconnectScope(deps).execute({ scope: ORG })).toMatchObject({
      ok: true,
      webhook: { kind: 'removed' },
    });
  });

  it('a token without admin rights connects with a manual webhook', async () => {
    const result = await connect({ repository: 'acme/readable', token: READER });
    expect(result).toMatchObject({
      ok: true,
      webhook: {
        mode: 'manual',
        url: 'https://sync.example.com/api/github/webhook/org-7',
        secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(peer.webhooks('acme/readable')).toEqual([]);
  });

  it.each([
    ['TokenRejected', { token: 'ghp_never_issued' }],
    ['RepositoryNotFound', { token: OUTSIDER }],
    ['RepositoryNotFound', { repository: 'acme/missing' }],
    ['InsufficientPermissions', { repository: 'acme/blind', token: BLIND }],
    ['BranchNotFound', { branch: 'nope' }],
    ['SubPathNotFound', { subPath: 'nope' }],
    ['SubPathNotFound', { subPath: 'scripts/run.ps1' }],
  ] as const)('answers %s through the real API (%j)', async (code, input) => {
    expect(await connect(input)).toMatchObject({ ok: false, code });
    expect(await deps.metadata.listConnections()).toEqual([]);
    expect(deps.queue.sent).toEqual([]);
  });

  it('answers GitHubUnavailable, retryable, when GitHub keeps failing', async () => {
    peer.injectFault({ kind: 'status', status: 502, times: 10 });
    expect(await connect()).toMatchObject({ ok: false, code: 'GitHubUnavailable', retryable: true });
  });

  it('moves a connection to another branch after checking it with GitHub', async () => {
    const connected = await connect({ repository: 'acme/readable', token: READER });
    if (!connected.ok) throw new Error(connected.message);
    const update = new UpdateConnection(deps);
    expect(await update.execute({ scope: ORG, branch: 'gone' })).toMatchObject({ ok: false, code: 'BranchNotFound' });
    expect(await update.execute({ scope: ORG, token: 'ghp_never_issued' })).toMatchObject({
      ok: false,
      code: 'TokenRejected',
    });
    expect(await update.execute({ scope: ORG, branch: 'release', subPath: 'docs' })).toMatchObject({
      ok: true,
      connection: { branch: 'release', subPath: 'docs' },
      sync: { queued: true },
    });
  });
});
