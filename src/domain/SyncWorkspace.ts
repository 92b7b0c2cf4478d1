import type { Clock } from '../ports/Clock';
import type { CommandQueue } from '../ports/CommandQueue';
import type { FileEntry, FileStore } from '../ports/FileStore';
import type { Logger } from '../ports/Logger';
import type { MetadataRepo, ScopeLease } from '../ports/MetadataRepo';
import type { SecretStore } from '../ports/SecretStore';
import { ArchiveMismatch, type SourceBytes, type SourceRepository, type SourceRepositoryFactory } from '../ports/SourceRepository';
import type { WorkspaceBackups } from '../ports/WorkspaceBackups';
import type { Connection } from './Connection';
import { BoundedTasks } from './BoundedTasks';
import { forEachConcurrently } from './forEachConcurrently';
import { handEditedFiles } from './HandEdits';
import { LeaseKeeper } from './LeaseKeeper';
import { isLfsPointer, MAX_POINTER_BYTES } from './LfsPointer';
import { filesOfManifest, folderMatchesManifest } from './ManifestCheck';
import { concatBytes, ObservedBytes, readWhole } from './ObservedBytes';
import { joinScopePath } from './PathPolicy';
import { scopeFolder, type Scope } from './Scope';
import type { SyncCommand, SyncTrigger } from './SyncCommand';
import { describeFailure, SyncFailure } from './SyncFailure';
import { tokenMissingMessage } from './TokenMissing';
import { isNoop, planSync, type PlannedWrite, type SyncPlan } from './SyncPlan';
import { ZERO_COUNTS, type SyncRun, type SyncRunError } from './SyncRun';

export interface SyncSettings {
  /** Identifies this worker instance in leases. */
  readonly holderId: string;
  readonly leaseTtlMs: number;
  /** Parallel blob downloads. */
  readonly fetchConcurrency: number;
  /** From this many files to fetch on, one archive download replaces per-file blob calls. */
  readonly archiveThreshold: number;
  /** Upper bound on go-again rounds in one execution (a branch pushed to non-stop cannot pin a worker). */
  readonly maxRounds: number;
  /** Files larger than this are skipped with a reason, never downloaded (default DEFAULT_MAX_FILE_BYTES). */
  readonly maxFileBytes?: number;
}

export type SyncWorkspaceResult =
  | { readonly kind: 'completed'; readonly runs: readonly SyncRun[] }
  | { readonly kind: 'failed'; readonly runs: readonly SyncRun[]; readonly error: SyncRunError & { retryAfterMs?: number } }
  | { readonly kind: 'coalesced'; readonly holder: string }
  | { readonly kind: 'skipped'; readonly reason: 'NoConnection' | 'Disabled' };

export interface SyncWorkspaceDeps {
  readonly metadata: MetadataRepo;
  readonly files: FileStore;
  readonly sources: SourceRepositoryFactory;
  readonly secrets: SecretStore;
  readonly queue: CommandQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: SyncSettings;
  /** Where a scope is zipped before a sync replaces or deletes files edited by hand; none = no backups. */
  readonly backups?: WorkspaceBackups;
}

/** Bytes of small archive files held in memory while their staging writes are in flight. */
const ARCHIVE_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** Archive entries up to this size are read whole and written in the background; larger ones stream. */
const BUFFERED_ENTRY_MAX_BYTES = 1024 * 1024;

/** Where staged downloads wait before the commit step moves them into the scope folder. */
export const STAGING_ROOT = '.workspace-sync/staging';

// Noop runs are recorded for triggers a person or a push caused; routine checks would flood history.
const QUIET_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(['reconcile', 'lease-check']);

// Triggers that compare the folder itself with the manifest instead of trusting the manifest.
const VERIFYING_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(['reconcile', 'manual', 'connect', 'replay']);

/**
 * Brings one scope's folder in step with its connected branch (DESIGN §4): takes the scope's lease,
 * mirrors the branch head, goes again while the head moves or triggers arrived meanwhile, and
 * records every run.
 */
export class SyncWorkspace {
  constructor(private readonly deps: SyncWorkspaceDeps) {}

  async execute(command: SyncCommand): Promise<SyncWorkspaceResult> {
    const { metadata, clock, settings } = this.deps;
    const connection = await metadata.getConnection(command.scope);
    if (!connection) return { kind: 'skipped', reason: 'NoConnection' };
    if (!connection.enabled) return { kind: 'skipped', reason: 'Disabled' };

    const acquisition = await metadata.acquireLease(command.scope, settings.holderId, clock.now(), settings.leaseTtlMs);
    if (acquisition.kind === 'busy') {
      if (acquisition.firstPending || command.trigger === 'lease-check') {
        await this.scheduleLeaseCheck(command.scope, acquisition.expiresAt);
      }
      return { kind: 'coalesced', holder: acquisition.holder };
    }

    const runs: SyncRun[] = [];
    let held: ScopeLease | null = acquisition.lease;
    try {
      // Read again under the lease: a disconnect or an update may have landed since the first look.
      const current = await metadata.getConnection(command.scope);
      if (!current || !current.enabled) return { kind: 'skipped', reason: current ? 'Disabled' : 'NoConnection' };
      await this.closeAbandonedRuns(command.scope);
      for (let round = 1; round <= settings.maxRounds; round++) {
        const trigger = round === 1 ? command.trigger : 'lease-check';
        const keeper: LeaseKeeper = new LeaseKeeper(metadata, clock, held!, settings.leaseTtlMs);
        const outcome = await this.runOnce(current, { ...command, trigger }, keeper, round === 1);
        held = keeper.lease;
        if (outcome.recorded) runs.push(outcome.run);
        if (outcome.run.status === 'failed') {
          return { kind: 'failed', runs, error: outcome.error ?? { code: 'Unknown', message: 'failed', retryable: true } };
        }
        if (outcome.headMoved) continue;
        const release = await metadata.releaseLease(held, clock.now(), settings.leaseTtlMs);
        if (release.kind === 'released') {
          held = null;
          return { kind: 'completed', runs };
        }
        held = release.lease;
      }
      // Still moving after maxRounds: leave a follow-up so the scope converges without holding this worker.
      await this.scheduleLeaseCheck(command.scope, clock.now());
      return { kind: 'completed', runs };
    } finally {
      if (held) await this.releaseQuietly(held);
    }
  }

  private async runOnce(
    connection: Connection,
    command: SyncCommand,
    lease: LeaseKeeper,
    firstRound: boolean,
  ): Promise<{ run: SyncRun; recorded: boolean; headMoved: boolean; error?: SyncRunError & { retryAfterMs?: number } }> {
    const { metadata, clock, logger } = this.deps;
    const scope = connection.scope;
    const startedAt = clock.now();
    let run: SyncRun = {
      id: globalThis.crypto.randomUUID(),
      scope,
      trigger: command.trigger,
      deliveryId: command.deliveryId,
      status: 'running',
      startedAt,
      ...(connection.lastSyncedCommit ? { fromCommit: connection.lastSyncedCommit } : {}),
      counts: ZERO_COUNTS,
      skipped: [],
      lfsPointers: [],
      sourceRequests: 0,
    };
    const log = logger.child({ runId: run.id, scope, deliveryId: command.deliveryId, trigger: command.trigger });
    let source: SourceRepository | undefined;
    let recorded = false;
    const timings: Record<string, number> = {};
    try {
      source = await this.openSource(connection);
      const [head, manifest] = await Promise.all([source.branchHead(connection.branch), metadata.getManifest(scope)]);
      if (head === null) throw new SyncFailure('BranchNotFound', `branch '${connection.branch}' does not exist in ${connection.repository}`);
      run = { ...run, commitSha: head };

      const folder = scopeFolder(scope);
      // Pushes trust a clean manifest (the folder is read-only outside syncs); other triggers, a
      // missing or dirty manifest look at the folder itself, so drift is repaired by the next reconcile.
      const verify = !manifest || manifest.dirty || VERIFYING_TRIGGERS.has(command.trigger);
      const present = verify ? await this.listScope(folder) : filesOfManifest(manifest);
      timings.inspect = clock.now().getTime() - startedAt.getTime();
      if (manifest && manifest.commitSha === head && (!verify || folderMatchesManifest(manifest, present, this.deps.files.capabilities.executableBit))) {
        run = { ...run, status: 'noop', finishedAt: clock.now(), counts: { ...ZERO_COUNTS, unchanged: manifest.entries.size }, sourceRequests: source.requestCount };
        recorded = firstRound && !QUIET_TRIGGERS.has(command.trigger);
        if (recorded) await metadata.saveRun(run);
        log.debug({ commitSha: head }, 'scope already at branch head');
        return { run, recorded, headMoved: false };
      }

      recorded = true;
      await metadata.saveRun(run);
      const tree = await source.tree(head, connection.subPath || undefined);
      timings.tree = clock.now().getTime() - startedAt.getTime();
      const outcome = planSync({
        target: tree.entries,
        manifest,
        present,
        capabilities: this.deps.files.capabilities,
        scopeFolderLength: folder.length + 1,
        maxFileBytes: this.deps.settings.maxFileBytes,
      });
      if (!outcome.ok) throw new SyncFailure(outcome.code, outcome.message);
      const plan = outcome.plan;
      if (this.deps.backups && verify) {
        const edited = await handEditedFiles({ files: this.deps.files, folder, plan, manifest, present });
        if (edited.length > 0) {
          const backup = await this.deps.backups.create(scope, `before sync run ${run.id}: ${edited.length} file(s) edited by hand replaced or deleted`);
          run = { ...run, backupId: backup.id };
          log.info({ backupId: backup.id, edited: edited.length, examples: edited.slice(0, 5) }, 'scope backed up before replacing hand edits');
        }
      }

      let lfsPointers: string[] = [];
      let bytesWritten = 0;
      let archiveFallbacks: number | undefined;
      if (!isNoop(plan) || manifest?.dirty || manifest?.commitSha !== head) {
        const staged = await this.stage(source, connection, head, plan, run.id, lease);
        lfsPointers = staged.lfsPointers;
        bytesWritten = staged.bytes;
        archiveFallbacks = staged.archiveFallbacks?.length;
        if (staged.archiveFallbacks && staged.archiveFallbacks.length > 0) {
          log.info(
            { archiveFallbacks, examples: staged.archiveFallbacks.slice(0, 5) },
            "archive bytes differ from the tree's blobs (export-subst, a filter or LFS): those files were fetched as blobs",
          );
        }
        timings.fetch = clock.now().getTime() - startedAt.getTime();
        await this.commit(scope, head, plan, run.id, lease);
        timings.commit = clock.now().getTime() - startedAt.getTime();
      }
      const headMoved = await this.headMoved(source, connection, head);
      run = {
        ...run,
        status: 'succeeded',
        finishedAt: clock.now(),
        counts: {
          written: plan.writes.length + plan.lateWrites.length,
          deleted: plan.deletes.length,
          unchanged: plan.unchanged,
          skipped: plan.skipped.length,
          bytesWritten,
          ...(archiveFallbacks === undefined ? {} : { archiveFallbacks }),
        },
        skipped: plan.skipped,
        lfsPointers,
        sourceRequests: source.requestCount,
      };
      await metadata.saveRun(run);
      await this.recordOutcome(connection, run);
      log.info({ commitSha: head, counts: run.counts, ms: run.finishedAt!.getTime() - startedAt.getTime(), msAfterStart: timings }, 'scope synced');
      return { run, recorded, headMoved };
    } catch (thrown) {
      const error = describeFailure(thrown);
      run = { ...run, status: 'failed', finishedAt: clock.now(), error: { code: error.code, message: error.message, retryable: error.retryable }, sourceRequests: source?.requestCount ?? 0 };
      log.warn({ error: run.error }, 'sync run failed');
      await this.cleanStaging(scope, run.id);
      try {
        await metadata.saveRun(run);
        await this.recordOutcome(connection, run);
      } catch (recordError) {
        log.error({ error: describeFailure(recordError) }, 'could not record the failed run');
      }
      return { run, recorded: true, headMoved: false, error };
    }
  }

  /**
   * Holding the lease means no other run of the scope is alive, so a run still marked running was
   * left by a worker that died: record it as failed instead of leaving it running forever.
   */
  private async closeAbandonedRuns(scope: Scope): Promise<void> {
    const { metadata, clock } = this.deps;
    const { runs } = await metadata.listRuns({ scope, status: 'running', limit: 100 });
    for (const run of runs) {
      await metadata.saveRun({
        ...run,
        status: 'failed',
        finishedAt: clock.now(),
        error: { code: 'Abandoned', message: 'the worker running this sync stopped before it finished', retryable: true },
      });
    }
  }

  private async openSource(connection: Connection): Promise<SourceRepository> {
    const token = await this.deps.secrets.get(connection.tokenRef);
    if (token === null || token === '') throw new SyncFailure('TokenMissing', tokenMissingMessage(connection.scope, connection.tokenRef, this.deps.secrets));
    return this.deps.sources.open({ repository: connection.repository, token });
  }

  /** Scope-relative listing of the scope folder. */
  private async listScope(folder: string): Promise<FileEntry[]> {
    const entries = await this.deps.files.list(folder, { recursive: true });
    const prefix = `${folder}/`;
    return entries.map((entry) => ({ ...entry, path: entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path }));
  }

  /**
   * Downloads every planned write into this run's staging folder. Bytes stream from the source to
   * the store (whose write is atomic), checked against the tree's blob SHA on the way: a stream
   * that fails leaves no staged file. Memory holds small archive files waiting for their write
   * (at most ARCHIVE_BYTES_IN_FLIGHT) and the streams' own buffers, never a large file whole.
   */
  private async stage(
    source: SourceRepository,
    connection: Connection,
    head: string,
    plan: SyncPlan,
    runId: string,
    lease: LeaseKeeper,
  ): Promise<{ lfsPointers: string[]; bytes: number; archiveFallbacks?: string[] }> {
    const { files, settings } = this.deps;
    const wanted = new Map<string, PlannedWrite>([...plan.writes, ...plan.lateWrites].map((write) => [write.path, write]));
    const stagingFolder = `${STAGING_ROOT}/${stagingKey(connection.scope)}`;
    await files.deleteTree(stagingFolder); // leftovers of a run that died
    const lfsPointers: string[] = [];
    let archiveFallbacks: string[] | undefined;
    let bytes = 0;
    const put = async (write: PlannedWrite, content: Uint8Array | SourceBytes): Promise<void> => {
      const target = `${stagingFolder}/${runId}/${write.path}`;
      const options = { executable: write.mode === '100755' && files.capabilities.executableBit };
      let written: number;
      let whole: Uint8Array | null;
      if (content instanceof Uint8Array) {
        await files.write(target, content, options);
        written = content.byteLength;
        whole = content;
      } else {
        // Only a file small enough to be an LFS pointer is kept, to recognise one.
        const kept: Uint8Array[] | null = write.size <= MAX_POINTER_BYTES ? [] : null;
        const observed = new ObservedBytes(content, kept);
        try {
          await files.write(target, observed.chunks(), options);
        } catch (error) {
          // The store may wrap the content's own failure; the source's is what tells a mismatch.
          throw observed.failure ?? error;
        }
        written = observed.length;
        whole = kept && concatBytes(kept);
      }
      if (whole && isLfsPointer(whole)) lfsPointers.push(write.path);
      bytes += written;
      wanted.delete(write.path);
      await lease.keepAlive();
    };

    if (wanted.size >= settings.archiveThreshold) {
      // The archive is read in order, one entry at a time. Small entries are read whole and written
      // in the background, so the disk keeps up; large ones stream straight to staging meanwhile.
      const writes = new BoundedTasks(settings.fetchConcurrency * 2, ARCHIVE_BYTES_IN_FLIGHT);
      const prefix = connection.subPath ? `${connection.subPath.replace(/\/+$/, '')}/` : '';
      const expected = new Map([...wanted.values()].map((write) => [`${prefix}${write.path}`, write.sha]));
      const fallbacks: string[] = [];
      archiveFallbacks = fallbacks;
      try {
        for await (const file of source.archive(head, expected)) {
          const write = file.path.startsWith(prefix) ? wanted.get(file.path.slice(prefix.length)) : undefined;
          if (!write) continue;
          try {
            if (file.size <= BUFFERED_ENTRY_MAX_BYTES) {
              // The entry yields `size` bytes or fails, so the budget reserved here bounds the buffer.
              await writes.room(file.size);
              const content = await readWhole(file.content);
              await writes.add(file.size, () => put(write, content));
            } else {
              await put(write, file.content);
            }
          } catch (error) {
            if (!(error instanceof ArchiveMismatch)) throw error;
            fallbacks.push(write.path); // still wanted: fetched as a blob below
          }
        }
        await writes.drain();
      } finally {
        await writes.settle(); // never leave writes running behind a failure's clean-up
      }
    }
    // Blob by blob: small change sets, and anything the archive did not carry or carried changed.
    await forEachConcurrently([...wanted.values()], settings.fetchConcurrency, async (write) => {
      await put(write, await source.blob(write.sha, write.size));
    });
    lfsPointers.sort();
    archiveFallbacks?.sort();
    return { lfsPointers, bytes, ...(archiveFallbacks ? { archiveFallbacks } : {}) };
  }

  /** Moves staged files into place, deletes, prunes, then writes the manifest last. */
  private async commit(scope: Scope, head: string, plan: SyncPlan, runId: string, lease: LeaseKeeper): Promise<void> {
    const { files, metadata } = this.deps;
    const folder = scopeFolder(scope);
    const staging = `${STAGING_ROOT}/${stagingKey(scope)}/${runId}`;
    await lease.renewNow(); // the commit must not start on a lease that already lapsed
    await metadata.markManifestDirty(scope);
    const place = async (write: PlannedWrite): Promise<void> => {
      await files.rename(`${staging}/${write.path}`, joinScopePath(folder, write.path));
    };
    for (const write of plan.writes) await place(write);
    for (const path of plan.deletes) await files.delete(joinScopePath(folder, path));
    for (const dir of plan.prune) await files.pruneEmptyDirectories(joinScopePath(folder, dir), folder);
    for (const write of plan.lateWrites) await place(write);
    await metadata.saveManifest({ scope, commitSha: head, entries: plan.manifest });
    await files.deleteTree(`${STAGING_ROOT}/${stagingKey(scope)}`);
  }

  /** Whether a push landed during the run. A failed look-up is not a failed run: the push's own trigger still comes. */
  private async headMoved(source: SourceRepository, connection: Connection, syncedHead: string): Promise<boolean> {
    try {
      const now = await source.branchHead(connection.branch);
      return now !== null && now !== syncedHead;
    } catch {
      return false;
    }
  }

  private async recordOutcome(connection: Connection, run: SyncRun): Promise<void> {
    const current = (await this.deps.metadata.getConnection(connection.scope)) ?? connection;
    await this.deps.metadata.saveConnection({
      ...current,
      lastSyncOutcome: run.status === 'failed' ? 'failed' : run.status === 'noop' ? 'noop' : 'succeeded',
      lastSyncAt: run.finishedAt ?? this.deps.clock.now(),
      ...(run.status === 'succeeded' && run.commitSha ? { lastSyncedCommit: run.commitSha } : {}),
    });
  }

  private async scheduleLeaseCheck(scope: Scope, notBefore: Date): Promise<void> {
    const at = new Date(Math.max(notBefore.getTime(), this.deps.clock.now().getTime()) + 1_000);
    await this.deps.queue.send(
      { scope, trigger: 'lease-check', deliveryId: `lease-check:${scope}:${at.getTime()}`, requestedAt: this.deps.clock.now().toISOString() },
      { scheduledAt: at },
    );
  }

  private async cleanStaging(scope: Scope, runId: string): Promise<void> {
    try {
      await this.deps.files.deleteTree(`${STAGING_ROOT}/${stagingKey(scope)}/${runId}`);
    } catch {
      // Best effort: the next run of this scope clears its staging folder before it stages.
    }
  }

  private async releaseQuietly(lease: ScopeLease): Promise<void> {
    try {
      const release = await this.deps.metadata.releaseLease(lease, this.deps.clock.now(), this.deps.settings.leaseTtlMs);
      if (release.kind === 'pending') {
        // We are leaving on an error with a trigger waiting: hand the scope to a follow-up.
        await this.deps.metadata.releaseLease(release.lease, this.deps.clock.now(), this.deps.settings.leaseTtlMs);
        await this.scheduleLeaseCheck(lease.scope, this.deps.clock.now());
      }
    } catch (error) {
      this.deps.logger.warn({ scope: lease.scope, error: describeFailure(error) }, 'could not release the scope lease; it will expire');
    }
  }
}

/** A folder name for the scope's staging area that cannot collide between scopes. */
function stagingKey(scope: Scope): string {
  return scopeFolder(scope).replace('/', '-');
}
