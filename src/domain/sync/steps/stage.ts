import { ArchiveMismatch, type SourceBytes } from '../../../ports/SourceRepository';
import { BoundedTasks } from '../../shared/BoundedTasks';
import { forEachConcurrently } from '../../shared/forEachConcurrently';
import { isLfsPointer, MAX_POINTER_BYTES } from '../LfsPointer';
import type { ManifestEntry } from '../Manifest';
import { concatBytes, ObservedBytes, readWhole } from '../ObservedBytes';
import { plannedEntry, type SyncPlan } from '../SyncPlan';
import type { Inspection } from './inspect';
import { PendingWrites } from './PendingWrites';
import { commitNeeded } from './plan';
import { runStagingFolder, scopeStagingFolder } from './StagingArea';
import { markPhaseEnd, type SyncRound } from './SyncRound';

/**
 * Bytes of small archive files held in memory while their staging writes are in flight: enough to
 * keep the disk busy (a scratch write is one create, its writes and one close), little enough to
 * keep a full sync's memory flat (issue #10: under 200 MB).
 */
const ARCHIVE_BYTES_IN_FLIGHT = 16 * 1024 * 1024;

/** Archive entries up to this size are read whole and written in the background; larger ones stream. */
const BUFFERED_ENTRY_MAX_BYTES = 1024 * 1024;

/** What staging learned about the files it downloaded. */
export interface Staged {
  readonly lfsPointers: string[];
  readonly bytes: number;
  /** Files the archive carried with other bytes than the tree's blob; absent when no archive was used. */
  readonly archiveFallbacks?: string[];
}

const NOTHING_STAGED: Staged = { lfsPointers: [], bytes: 0 };

/**
 * Step 4: downloads every planned write into this run's staging folder. Bytes stream from the
 * source to the store (a scratch write: staging is ours, and a failed run discards it), checked
 * against the tree's blob SHA on the way: a stream that fails leaves no staged file. Memory holds
 * small archive files waiting for their write (at most ARCHIVE_BYTES_IN_FLIGHT) and the streams'
 * own buffers, never a large file whole. The lease is kept alive after every file.
 */
export async function stage(round: SyncRound, inspection: Inspection, plan: SyncPlan): Promise<Staged> {
  if (!commitNeeded(inspection, plan)) return NOTHING_STAGED;
  const { deps, connection, lease, run } = round;
  const { files, settings } = deps;
  const { source, head } = inspection;
  const wanted = new PendingWrites([plan.writes, plan.lateWrites]);
  await files.deleteTree(scopeStagingFolder(connection.scope)); // leftovers of a run that died
  const staging = runStagingFolder(connection.scope, run.id);
  const lfsPointers: string[] = [];
  let archiveFallbacks: string[] | undefined;
  let bytes = 0;
  const put = async (path: string, entry: ManifestEntry, content: Uint8Array | SourceBytes): Promise<void> => {
    const target = `${staging}/${path}`;
    // Staging is the service's own folder, read by nobody before the commit: a scratch write.
    const options = { executable: entry.mode === '100755' && files.capabilities.executableBit, scratch: true };
    let written: number;
    let whole: Uint8Array | null;
    if (content instanceof Uint8Array) {
      await files.write(target, content, options);
      written = content.byteLength;
      whole = content;
    } else {
      // Only a file small enough to be an LFS pointer is kept, to recognise one.
      const kept: Uint8Array[] | null = entry.size <= MAX_POINTER_BYTES ? [] : null;
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
    if (whole && isLfsPointer(whole)) lfsPointers.push(path);
    bytes += written;
    wanted.markStaged(path);
    await lease.keepAlive();
  };

  if (wanted.size >= settings.archiveThreshold) {
    // The archive is read in order, one entry at a time. Small entries are read whole and written
    // in the background, so the disk keeps up; large ones stream straight to staging meanwhile.
    const writes = new BoundedTasks(settings.fetchConcurrency * 2, ARCHIVE_BYTES_IN_FLIGHT);
    const prefix = connection.subPath ? `${connection.subPath.replace(/\/+$/, '')}/` : '';
    // The archive names repository paths: `wanted` is looked at under the sub-path, not copied
    // (an entry whose file is already written, were the archive to repeat it, is skipped unread).
    const wantedAt = (path: string): string | undefined => {
      const relative = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
      return relative !== undefined && wanted.has(relative) ? relative : undefined;
    };
    const expected = {
      get: (path: string) => {
        const relative = wantedAt(path);
        return relative === undefined ? undefined : plannedEntry(plan, relative).sha;
      },
    };
    const fallbacks: string[] = [];
    archiveFallbacks = fallbacks;
    try {
      for await (const file of source.archive(head, expected)) {
        const path = wantedAt(file.path);
        if (path === undefined) continue;
        const entry = plannedEntry(plan, path);
        try {
          if (file.size <= BUFFERED_ENTRY_MAX_BYTES) {
            // The entry yields `size` bytes or fails, so the budget reserved here bounds the buffer.
            await writes.room(file.size);
            const content = await readWhole(file.content);
            await writes.add(file.size, () => put(path, entry, content));
          } else {
            await put(path, entry, file.content);
          }
        } catch (error) {
          if (!(error instanceof ArchiveMismatch)) throw error;
          fallbacks.push(path); // still wanted: fetched as a blob below
        }
      }
      await writes.drain();
    } finally {
      await writes.settle(); // never leave writes running behind a failure's clean-up
    }
  }
  // Blob by blob: small change sets, and anything the archive did not carry or carried changed.
  await forEachConcurrently(wanted.remaining(), settings.fetchConcurrency, async (path) => {
    const entry = plannedEntry(plan, path);
    await put(path, entry, await source.blob(entry.sha, entry.size));
  });
  lfsPointers.sort();
  archiveFallbacks?.sort();
  if (archiveFallbacks && archiveFallbacks.length > 0) {
    round.log.info(
      { archiveFallbacks: archiveFallbacks.length, examples: archiveFallbacks.slice(0, 5) },
      "archive bytes differ from the tree's blobs (export-subst, a filter or LFS): those files were fetched as blobs",
    );
  }
  markPhaseEnd(round, 'fetch');
  return { lfsPointers, bytes, ...(archiveFallbacks ? { archiveFallbacks } : {}) };
}
