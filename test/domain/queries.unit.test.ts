import { beforeEach, describe, expect, it } from 'vitest';
import { FileStoreBackups } from '../../src/adapters/backups/FileStoreBackups';
import { InMemoryFileStore } from '../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InProcessCommandQueue } from '../../src/adapters/in-process-queue/InProcessCommandQueue';
import { YazlWorkspaceArchiver } from '../../src/adapters/zip/YazlWorkspaceArchiver';
import type { Connection } from '../../src/domain/connections/Connection';
import { GetConnection } from '../../src/domain/connections/GetConnection';
import { ListConnections } from '../../src/domain/connections/ListConnections';
import type { Principal } from '../../src/domain/shared/Principal';
import { GLOBAL_SCOPE, type Scope } from '../../src/domain/shared/Scope';
import { GetSyncRun } from '../../src/domain/sync/GetSyncRun';
import { ListSyncRuns } from '../../src/domain/sync/ListSyncRuns';
import { QueueManualSync } from '../../src/domain/sync/QueueManualSync';
import type { SyncRun } from '../../src/domain/sync/SyncRun';
import { OpenScopeBackup } from '../../src/domain/workspace/OpenScopeBackup';
import { ReadWorkspaceStatus } from '../../src/domain/workspace/ReadWorkspaceStatus';
import { ManualClock } from '../doubles/ManualClock';
import { SequentialIdGenerator } from '../doubles/SequentialIdGenerator';

const ORG_A = 'org-a' as Scope;
const ORG_B = 'org-b' as Scope;
const admin: Principal = { subject: 'admin', name: 'Admin', isAdmin: true, isEditor: true, organizations: [] };
const memberOfA: Principal = { subject: 'a', name: 'A', isAdmin: false, isEditor: false, organizations: ['ORG-A'] };
const memberOfBoth: Principal = { ...memberOfA, organizations: ['org-a', 'org-b'] };

const connection = (scope: Scope, enabled = true): Connection => ({
  scope,
  repository: 'acme/scripts',
  branch: 'main',
  subPath: '',
  tokenRef: 'T',
  webhookSecretRef: 'W',
  enabled,
  webhook: { mode: 'manual' },
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const run = (id: string, scope: Scope, startedAt: number): SyncRun => ({
  id,
  scope,
  trigger: 'push',
  deliveryId: `d-${id}`,
  status: 'succeeded',
  startedAt: new Date(startedAt),
  counts: { written: 0, deleted: 0, unchanged: 0, skipped: 0 } as SyncRun['counts'],
  skipped: [],
  lfsPointers: [],
  sourceRequests: 0,
});

describe('query use cases', () => {
  let metadata: InMemoryMetadataRepo;

  beforeEach(async () => {
    metadata = new InMemoryMetadataRepo();
    for (const scope of [GLOBAL_SCOPE, ORG_A, ORG_B]) await metadata.saveConnection(connection(scope, scope !== ORG_B));
  });

  it('ListConnections shows an admin every connection, anyone else their organisations only (never GLOBAL)', async () => {
    const list = new ListConnections({ metadata });
    expect((await list.execute(admin)).map((c) => c.scope).sort()).toEqual([GLOBAL_SCOPE, ORG_A, ORG_B].sort());
    expect((await list.execute(memberOfA)).map((c) => c.scope)).toEqual([ORG_A]);
  });

  it('GetConnection answers NotConnected for a scope without one', async () => {
    const get = new GetConnection({ metadata });
    expect(await get.execute(ORG_A)).toMatchObject({ ok: true, connection: { scope: ORG_A } });
    expect(await get.execute('org-z' as Scope)).toMatchObject({ ok: false, code: 'NotConnected', retryable: false });
  });

  it('QueueManualSync queues a manual sync of an enabled connection only', async () => {
    const queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 1, retryBaseMs: 1 });
    const queueSync = new QueueManualSync({
      metadata,
      queue,
      clock: new ManualClock(),
      ids: new SequentialIdGenerator('m'),
    });
    expect(await queueSync.execute('org-z' as Scope)).toMatchObject({ ok: false, code: 'NotConnected' });
    expect(await queueSync.execute(ORG_B)).toMatchObject({ ok: false, code: 'ConnectionDisabled' });
    const queued = await queueSync.execute(ORG_A);
    expect(queued).toEqual({ ok: true, deliveryId: 'manual:m-1' });
  });

  describe('ListSyncRuns', () => {
    beforeEach(async () => {
      await metadata.saveRun(run('g1', GLOBAL_SCOPE, 1));
      await metadata.saveRun(run('a1', ORG_A, 2));
      await metadata.saveRun(run('b1', ORG_B, 3));
    });

    it('lists every scope for an admin, and a member their only organisation when none is named', async () => {
      const list = new ListSyncRuns({ metadata });
      const all = await list.execute({ principal: admin, limit: 10 });
      expect(all.ok && all.page.runs.map((r) => r.id)).toEqual(['b1', 'a1', 'g1']);
      const own = await list.execute({ principal: memberOfA, limit: 10 });
      expect(own.ok && own.page.runs.map((r) => r.id)).toEqual(['a1']);
    });

    it('asks a member of several organisations to name one, and refuses one that is not theirs', async () => {
      const list = new ListSyncRuns({ metadata });
      expect(await list.execute({ principal: memberOfBoth, limit: 10 })).toMatchObject({
        ok: false,
        code: 'ScopeRequired',
      });
      expect(await list.execute({ principal: memberOfA, scope: ORG_B, limit: 10 })).toMatchObject({
        ok: false,
        code: 'Forbidden',
      });
      expect(await list.execute({ principal: memberOfA, scope: GLOBAL_SCOPE, limit: 10 })).toMatchObject({
        ok: false,
        code: 'Forbidden',
      });
    });

    it("answers the store's declared InvalidContinuationToken as a value", async () => {
      const list = new ListSyncRuns({ metadata });
      expect(await list.execute({ principal: admin, limit: 10, continuationToken: 'forged' })).toMatchObject({
        ok: false,
        code: 'InvalidContinuationToken',
      });
    });
  });

  it('GetSyncRun hides a run of a scope the caller may not read, and never looks up a malformed id', async () => {
    await metadata.saveRun(run('b1', ORG_B, 3));
    const get = new GetSyncRun({ metadata });
    expect(await get.execute(admin, 'b1')).toMatchObject({ ok: true, run: { id: 'b1' } });
    expect(await get.execute(memberOfA, 'b1')).toMatchObject({ ok: false, code: 'NotFound' });
    expect(await get.execute(admin, '../b1')).toMatchObject({ ok: false, code: 'NotFound' });
  });

  it('ReadWorkspaceStatus sums up the scope folder and says whether GitHub manages it', async () => {
    const files = new InMemoryFileStore();
    await files.write('orgs/org-a/a.py', new TextEncoder().encode('abc'));
    await files.write('orgs/org-a/lib/b.py', new TextEncoder().encode('de'));
    const read = new ReadWorkspaceStatus({ metadata, files });
    expect(await read.execute(ORG_A)).toMatchObject({
      scope: ORG_A,
      mode: 'github-sync',
      readOnly: true,
      files: 2,
      folders: 1,
      totalBytes: 5,
      connection: { scope: ORG_A },
    });
    expect(await read.execute('org-z' as Scope)).toMatchObject({
      mode: 'manual-edit',
      readOnly: false,
      files: 0,
      connection: null,
    });
  });

  it("OpenScopeBackup opens a backup of the scope, and answers another scope's like a missing one", async () => {
    const workspace = new InMemoryFileStore();
    await workspace.write('orgs/org-b/secret.py', new TextEncoder().encode('b'));
    const backups = new FileStoreBackups({
      archiver: new YazlWorkspaceArchiver(workspace),
      store: new InMemoryFileStore(),
      folder: '',
      clock: new ManualClock(),
    });
    const ofB = await backups.create(ORG_B, 'test');
    const open = new OpenScopeBackup({ backups });
    const opened = await open.execute(ORG_B, ofB.id);
    expect(opened).toMatchObject({ ok: true, backup: { info: { id: ofB.id, scope: ORG_B } } });
    if (opened.ok) await opened.backup.content[Symbol.asyncIterator]().return?.();
    const refused = await open.execute(ORG_A, ofB.id);
    expect(refused).toEqual({ ok: false, code: 'NotFound', message: `no backup ${ofB.id} of ${ORG_A}` });
    expect(await open.execute(ORG_A, 'no-such-backup')).toMatchObject({ ok: false, code: 'NotFound' });
  });
});
