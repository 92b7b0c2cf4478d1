import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ShareClient, ShareDirectoryClient, ShareFileClient } from '@azure/storage-file-share';
import pLimit from 'p-limit';
import {
  FileStoreError,
  PRIVATE_FOLDER,
  type FileContent,
  type FileEntry,
  type FileStore,
  type FileStoreCapabilities,
} from '../../ports/FileStore';
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';
import { errorCodeOf, isMissing, mapShareError, statusOf } from './mapShareError';
import { isPrivateFolderName, joinSegments, MAX_PATH_LENGTH, sameName, segmentsOf } from './sharePaths';
import { ContentSourceError, uploadInRanges } from './uploadInRanges';
import { releasingChunks } from '../streams/releasingChunks';

/** Staged files older than this are leftovers of a crashed writer; younger ones may be in flight. */
const STALE_STAGED_AGE_MS = 60 * 60 * 1000;
/** Most entries one List Directories and Files call may return. */
const SERVICE_PAGE_SIZE = 5000;
/** Parallel calls when walking or deleting a tree: few enough not to be throttled on one share. */
const TREE_CONCURRENCY = 8;
/** A rename is tried again after making its folder or clearing an empty folder out of its way. */
const PLACE_ATTEMPTS = 3;

const STAGING_SEGMENTS = [PRIVATE_FOLDER, 'tmp'];

export interface AzureFilesFileStoreOptions {
  /** Entries asked for per List Directories and Files call (maxresults); at most 5,000. */
  readonly pageSize?: number;
}

interface Child {
  readonly name: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
  readonly modifiedAt: Date;
}

interface Found {
  readonly segments: string[];
  readonly entry: FileEntry;
}

/**
 * A FileStore on an Azure file share through the Files REST API, for hosts that cannot mount the
 * share. Like the local volume, a write stages its content in the share's private
 * `.workspace-sync/tmp/` folder (Create File, then Put Range calls) and publishes it with one Rename
 * File with replace-if-exists, so a reader sees the old file or the new one, never a part; the
 * private folder is hidden from listings of the store root.
 *
 * The share decides what the store can represent: names are case-insensitive and case-preserving,
 * files carry no mode (REST and SMB have no executable bit), paths are at most 2,048 characters
 * with names of at most 255. Names another Unicode form spells are found by listing their folder
 * only after the exact name missed, so plain names cost no extra call.
 */
export class AzureFilesFileStore implements FileStore {
  readonly capabilities: FileStoreCapabilities = { executableBit: false, caseSensitive: false, maxPathLength: MAX_PATH_LENGTH };

  private constructor(
    private readonly share: ShareClient,
    private readonly pageSize: number,
  ) {}

  /**
   * Opens the store on an existing share: checks that it answers (a missing share or a refused
   * identity stops the start instead of the first sync), creates the staging folder and removes
   * staged files a crashed writer left behind.
   */
  static async open(share: ShareClient, options: AzureFilesFileStoreOptions = {}): Promise<AzureFilesFileStore> {
    const store = new AzureFilesFileStore(share, Math.min(SERVICE_PAGE_SIZE, Math.max(1, options.pageSize ?? SERVICE_PAGE_SIZE)));
    try {
      await share.rootDirectoryClient.getProperties();
    } catch (error) {
      throw mapShareError(error, 'open share', share.name);
    }
    await store.ensureDirectories(STAGING_SEGMENTS, PRIVATE_FOLDER);
    await store.removeStaleStagedFiles();
    return store;
  }

  async read(storePath: string): Promise<Uint8Array | null> {
    const download = await this.openDownload(segmentsOf(storePath), 'read');
    if (download === null) return null;
    const parts: Buffer[] = [];
    try {
      for await (const chunk of download.body) parts.push(chunk as Buffer);
    } catch (error) {
      throw mapShareError(error, 'read', download.path);
    }
    const bytes = Buffer.concat(parts);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async readStream(storePath: string): Promise<AsyncIterable<Uint8Array> | null> {
    const download = await this.openDownload(segmentsOf(storePath), 'read');
    return download === null ? null : releasingChunks(download.body, (error) => mapShareError(error, 'read', download.path));
  }

  async stat(storePath: string): Promise<FileEntry | null> {
    const segments = segmentsOf(storePath);
    return (await this.find(segments))?.entry ?? null;
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    const found = await this.withTwins(segmentsOf(dir), async (segments) => {
      const children = await this.children(segments);
      return children === null ? null : { segments, children };
    });
    if (found === null) return [];
    const entries = await this.walk(found.segments, found.children, options?.recursive === true);
    return entries.map((item) => item.entry).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async write(storePath: string, content: FileContent): Promise<void> {
    const target = this.nonRoot(storePath, 'write');
    const staged = this.file([...STAGING_SEGMENTS, `${randomUUID()}.tmp`]);
    try {
      await uploadInRanges(staged, content, (size) => this.createStaged(staged, size));
      await this.place(staged, target, 'write', { emptyFolderGivesWay: false, replacesTwin: true, sourceExists: async () => true });
    } catch (error) {
      await staged.deleteIfExists().catch(() => undefined);
      // The caller's own content failed (e.g. a download broke): hand its error back untouched.
      if (error instanceof ContentSourceError) throw error.original;
      throw mapShareError(error, 'write', storePath);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.nonRoot(from, 'rename');
    const target = this.nonRoot(to, 'rename');
    try {
      const found = await this.find(source);
      if (found === null) throw new FileStoreError('NotFound', `rename '${from}': no such file`);
      if (found.segments.length === target.length && found.segments.every((segment, i) => segment === target[i])) return;
      const isFile = found.entry.kind === 'file';
      const client = isFile ? this.file(found.segments) : this.directory(found.segments);
      await this.place(client, target, 'rename', {
        emptyFolderGivesWay: isFile,
        replacesTwin: isFile,
        sourceExists: async () => (await this.exact(found.segments)) !== null,
        source: found.segments,
      });
    } catch (error) {
      throw mapShareError(error, `rename to '${to}' from`, from);
    }
  }

  async delete(storePath: string): Promise<void> {
    const segments = this.nonRoot(storePath, 'delete');
    await this.withTwins(segments, async (exact) => {
      try {
        await this.file(exact).delete();
        return true;
      } catch (error) {
        if (isNotThere(error)) return null;
        throw mapShareError(error, 'delete', storePath);
      }
    });
  }

  async createDirectory(storePath: string): Promise<void> {
    const segments = segmentsOf(storePath);
    if (segments.length === 0) return;
    try {
      if (segments.some(mayNameATwin)) await this.renameTwinFolders(segments);
      await this.ensureDirectories(segments, storePath);
    } catch (error) {
      throw mapShareError(error, 'create directory', storePath);
    }
  }

  async deleteTree(storePath: string): Promise<void> {
    const segments = segmentsOf(storePath);
    try {
      if (segments.length === 0) {
        // Emptying the whole store must not take the private folder with it.
        const children = (await this.children([])) ?? [];
        for (const child of children) {
          if (!isPrivateFolderName(child.name)) await this.removeTree([child.name], child.kind);
        }
        return;
      }
      const found = await this.find(segments);
      if (found !== null) await this.removeTree(found.segments, found.entry.kind);
    } catch (error) {
      throw mapShareError(error, 'delete tree', storePath);
    }
  }

  async pruneEmptyDirectories(dir: string, stopAt: string): Promise<void> {
    const stop = segmentsOf(stopAt);
    let current = segmentsOf(dir);
    while (current.length > stop.length && stop.every((segment, i) => sameName(segment, current[i] ?? ''))) {
      try {
        // Delete Directory refuses a folder that holds anything, so the check and the removal are one call.
        await this.directory(current).delete();
      } catch (error) {
        const code = errorCodeOf(error);
        if (code === 'DirectoryNotEmpty' || code === 'ResourceTypeMismatch') return;
        if (!isMissing(error)) throw mapShareError(error, 'prune', joinSegments(current));
        // Already gone: its parent may be empty too.
      }
      current = current.slice(0, -1);
    }
  }

  private nonRoot(storePath: string, operation: string): string[] {
    const segments = segmentsOf(storePath);
    if (segments.length === 0) throw new FileStoreError('Conflict', `cannot ${operation} the store root`);
    return segments;
  }

  private directory(segments: readonly string[]): ShareDirectoryClient {
    return this.share.getDirectoryClient(joinSegments(segments));
  }

  private file(segments: readonly string[]): ShareFileClient {
    return this.share.rootDirectoryClient.getFileClient(joinSegments(segments));
  }

  /**
   * `attempt` on the exact segments; when that finds nothing and a segment is an NFC name, once more
   * on the names the share stores for them (see FileStore: the single entry of another spelling).
   */
  private async withTwins<T>(segments: string[], attempt: (segments: string[]) => Promise<T | null>): Promise<T | null> {
    const exact = await attempt(segments);
    if (exact !== null || !segments.some(mayNameATwin)) return exact;
    const stored = await this.storedSpelling(segments);
    if (stored === null || stored.every((segment, i) => segment === segments[i])) return null;
    return attempt(stored);
  }

  /** The segments as the share stores them, resolving each missing NFC name to its single twin. */
  private async storedSpelling(segments: readonly string[]): Promise<string[] | null> {
    const resolved: string[] = [];
    for (const segment of segments) {
      if (!mayNameATwin(segment)) {
        resolved.push(segment);
        continue;
      }
      const names = (await this.children(resolved))?.map((child) => child.name);
      if (names === undefined) return null;
      const found = names.find((name) => sameName(name, segment)) ?? singleTwin(names, segment);
      if (found === null || found === undefined) return null;
      resolved.push(found);
    }
    return resolved;
  }

  private async find(segments: string[]): Promise<Found | null> {
    if (segments.length === 0) return { segments, entry: await this.rootEntry() };
    return this.withTwins(segments, async (exact) => {
      const entry = await this.exact(exact);
      return entry === null ? null : { segments: exact, entry };
    });
  }

  /** The file or folder at exactly `segments` (one call for a file, two for a folder), or null. */
  private async exact(segments: readonly string[]): Promise<FileEntry | null> {
    const path = joinSegments(segments);
    try {
      const properties = await this.file(segments).getProperties();
      return { path, kind: 'file', size: properties.contentLength ?? 0, modifiedAt: properties.lastModified ?? new Date(0), executable: false };
    } catch (error) {
      if (!isNotThere(error)) throw mapShareError(error, 'stat', path);
    }
    try {
      const properties = await this.directory(segments).getProperties();
      return { path, kind: 'directory', size: 0, modifiedAt: properties.lastModified ?? new Date(0), executable: false };
    } catch (error) {
      if (isNotThere(error)) return null;
      throw mapShareError(error, 'stat', path);
    }
  }

  private async rootEntry(): Promise<FileEntry> {
    try {
      const properties = await this.share.rootDirectoryClient.getProperties();
      return { path: '', kind: 'directory', size: 0, modifiedAt: properties.lastModified ?? new Date(0), executable: false };
    } catch (error) {
      throw mapShareError(error, 'stat', '');
    }
  }

  private async isDirectory(segments: readonly string[]): Promise<boolean> {
    try {
      await this.directory(segments).getProperties();
      return true;
    } catch (error) {
      if (isNotThere(error)) return false;
      throw error;
    }
  }

  /** The folder's entries, all pages of them, or null when there is no folder at `segments`. */
  private async children(segments: readonly string[]): Promise<Child[] | null> {
    const children: Child[] = [];
    try {
      const pages = this.directory(segments).listFilesAndDirectories({ includeTimestamps: true }).byPage({ maxPageSize: this.pageSize });
      for await (const page of pages) {
        for (const item of page.segment.directoryItems) {
          const modifiedAt = item.properties?.lastModified ?? item.properties?.lastWriteTime ?? new Date(0);
          children.push({ name: String(item.name), kind: 'directory', size: 0, modifiedAt });
        }
        for (const item of page.segment.fileItems) {
          const modifiedAt = item.properties.lastModified ?? item.properties.lastWriteTime ?? new Date(0);
          children.push({ name: String(item.name), kind: 'file', size: item.properties.contentLength ?? 0, modifiedAt });
        }
      }
    } catch (error) {
      if (isNotThere(error)) return null;
      throw mapShareError(error, 'list', joinSegments(segments));
    }
    return children;
  }

  /**
   * The entries below `segments` (whose children are given), all descendants when `recursive`.
   * Folders are listed in parallel, a bounded number at a time; one that vanishes meanwhile lists as empty.
   */
  private async walk(segments: string[], children: Child[], recursive: boolean): Promise<Found[]> {
    const found: Found[] = [];
    const limit = pLimit(TREE_CONCURRENCY);
    const pending: Array<Promise<void>> = [];
    const collect = (folder: string[], items: Child[]): void => {
      for (const child of items) {
        if (folder.length === 0 && isPrivateFolderName(child.name)) continue;
        const childSegments = [...folder, child.name];
        found.push({
          segments: childSegments,
          entry: { path: joinSegments(childSegments), kind: child.kind, size: child.size, modifiedAt: child.modifiedAt, executable: false },
        });
        if (recursive && child.kind === 'directory') {
          pending.push(
            observed(
              limit(async () => {
                const nested = await this.children(childSegments);
                if (nested !== null) collect(childSegments, nested);
              }),
            ),
          );
        }
      }
    };
    collect(segments, children);
    await settleAll(pending);
    return found;
  }

  /**
   * Moves `source` to `target` with one Rename (replace-if-exists). A missing folder on the way is
   * created and the rename tried again; a folder at the target is a Conflict for a write, and for a
   * rename gives way when empty. An NFC name of the target whose folders or file are stored under
   * another spelling lands in them (see FileStore): such folders take the NFC name first, such a
   * file is deleted once the new one is in place.
   */
  private async place(
    source: ShareFileClient | ShareDirectoryClient,
    target: string[],
    operation: string,
    options: { emptyFolderGivesWay: boolean; replacesTwin: boolean; sourceExists: () => Promise<boolean>; source?: string[] },
  ): Promise<void> {
    const targetPath = joinSegments(target);
    const parent = target.slice(0, -1);
    if (parent.some(mayNameATwin)) await this.renameTwinFolders(parent);
    const twin = options.replacesTwin ? await this.twinFileOf(target) : null;
    for (let attempt = 1; ; attempt++) {
      try {
        await source.rename(targetPath, { replaceIfExists: true });
        break;
      } catch (error) {
        const code = errorCodeOf(error);
        if (attempt >= PLACE_ATTEMPTS) throw error;
        if (code === 'ParentNotFound') {
          if (!(await options.sourceExists())) throw new FileStoreError('NotFound', `${operation} '${targetPath}': the source is gone`);
          await this.ensureDirectories(parent, targetPath);
          continue;
        }
        if (statusOf(error) === 409 && (code === 'ResourceTypeMismatch' || code === 'ResourceAlreadyExists') && (await this.isDirectory(target))) {
          if (!options.emptyFolderGivesWay) throw new FileStoreError('Conflict', `${operation} '${targetPath}': a folder is there`);
          await this.removeEmptyFolder(target, operation);
          continue;
        }
        throw error;
      }
    }
    const sameAsSource = twin !== null && options.source !== undefined && joinSegments(twin) === joinSegments(options.source);
    if (twin !== null && !sameAsSource) await this.file(twin).deleteIfExists();
  }

  private async removeEmptyFolder(segments: readonly string[], operation: string): Promise<void> {
    try {
      await this.directory(segments).delete();
    } catch (error) {
      if (errorCodeOf(error) === 'DirectoryNotEmpty') {
        throw new FileStoreError('Conflict', `${operation} to '${joinSegments(segments)}': a non-empty folder is there`);
      }
      if (!isMissing(error)) throw error;
    }
  }

  /** The file stored under another spelling of `target`'s missing NFC name, when exactly one is. */
  private async twinFileOf(target: readonly string[]): Promise<string[] | null> {
    const name = target[target.length - 1] ?? '';
    if (!mayNameATwin(name)) return null;
    const parent = target.slice(0, -1);
    const siblings = await this.children(parent);
    if (siblings === null || siblings.some((child) => sameName(child.name, name))) return null;
    const twin = singleTwin(
      siblings.map((child) => child.name),
      name,
    );
    const twinKind = siblings.find((child) => child.name === twin)?.kind;
    return twin !== null && twinKind === 'file' ? [...parent, twin] : null;
  }

  /**
   * Gives the NFC name to each folder on the way that is missing under it but stored under one other
   * spelling; stops at the first folder missing outright (the rest is created) or at anything else.
   */
  private async renameTwinFolders(segments: readonly string[]): Promise<void> {
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (!mayNameATwin(segment)) continue;
      const here = segments.slice(0, i + 1);
      if (await this.isDirectory(here)) continue;
      const siblings = await this.children(segments.slice(0, i));
      if (siblings === null || siblings.some((child) => sameName(child.name, segment))) return;
      const twin = singleTwin(
        siblings.map((child) => child.name),
        segment,
      );
      if (twin === null || siblings.find((child) => child.name === twin)?.kind !== 'directory') return;
      await this.directory([...segments.slice(0, i), twin]).rename(joinSegments(here));
    }
  }

  /** Creates the folder and any missing parents; a file in the way is a Conflict. */
  private async ensureDirectories(segments: readonly string[], forPath: string): Promise<void> {
    if (segments.length === 0) return;
    if ((await this.createDirectoryOnce(segments, forPath)) !== 'parent missing') return;
    await this.ensureDirectories(segments.slice(0, -1), forPath);
    if ((await this.createDirectoryOnce(segments, forPath)) === 'parent missing') {
      throw new FileStoreError('Unavailable', `'${forPath}': a folder on the way was deleted meanwhile`);
    }
  }

  private async createDirectoryOnce(segments: readonly string[], forPath: string): Promise<'done' | 'parent missing'> {
    try {
      await this.directory(segments).create();
      return 'done';
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === 'ParentNotFound') return 'parent missing';
      if (code === 'ResourceAlreadyExists' || code === 'ResourceTypeMismatch') {
        if (await this.isDirectory(segments)) return 'done';
        throw new FileStoreError('Conflict', `'${forPath}': '${joinSegments(segments)}' is a file, not a folder`);
      }
      throw error;
    }
  }

  /** Create File in the staging folder, recreating the folder once if someone removed it. */
  private async createStaged(file: ShareFileClient, size: number): Promise<void> {
    try {
      await file.create(size);
    } catch (error) {
      if (errorCodeOf(error) !== 'ParentNotFound') throw error;
      await this.ensureDirectories(STAGING_SEGMENTS, PRIVATE_FOLDER);
      await file.create(size);
    }
  }

  /** Deletes a file, or a folder with everything in it (the REST API deletes only empty folders). */
  private async removeTree(segments: readonly string[], kind: 'file' | 'directory'): Promise<void> {
    if (kind === 'file') {
      await this.file(segments).deleteIfExists();
      return;
    }
    const children = await this.children(segments);
    if (children === null) return;
    const below = await this.walk([...segments], children, true);
    const limit = pLimit(TREE_CONCURRENCY);
    await settleAll(below.filter((item) => item.entry.kind === 'file').map((item) => limit(() => this.file(item.segments).deleteIfExists())));
    // Deepest folders first: each is empty once those below it are gone.
    const folders = below.filter((item) => item.entry.kind === 'directory').sort((a, b) => b.segments.length - a.segments.length);
    for (const depth of [...new Set(folders.map((item) => item.segments.length))]) {
      await settleAll(folders.filter((item) => item.segments.length === depth).map((item) => limit(() => this.deleteFolderIfExists(item.segments))));
    }
    await this.deleteFolderIfExists(segments);
  }

  private async deleteFolderIfExists(segments: readonly string[]): Promise<void> {
    try {
      await this.directory(segments).delete();
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  private async removeStaleStagedFiles(): Promise<void> {
    const cutoff = Date.now() - STALE_STAGED_AGE_MS;
    const staged = (await this.children(STAGING_SEGMENTS).catch(() => null)) ?? [];
    for (const child of staged) {
      if (child.kind === 'file' && child.modifiedAt.getTime() < cutoff) {
        await this.file([...STAGING_SEGMENTS, child.name]).deleteIfExists().catch(() => undefined);
      }
    }
  }

  private async openDownload(segments: string[], operation: string): Promise<{ body: Readable; path: string } | null> {
    if (segments.length === 0) return null;
    return this.withTwins(segments, async (exact) => {
      const path = joinSegments(exact);
      try {
        // One Get File for the whole file: its answer is one version of it. The SDK resumes a broken
        // body with ranged requests only while the ETag is unchanged, so no read mixes two versions.
        const response = await this.file(exact).download();
        const body = response.readableStreamBody as Readable | undefined;
        if (body === undefined) throw new FileStoreError('Unavailable', `${operation} '${path}': the answer had no body`);
        return { body, path };
      } catch (error) {
        if (isNotThere(error)) return null;
        throw mapShareError(error, operation, path);
      }
    });
  }
}

/** Missing, or of the other kind (a folder where a file was asked for, or the reverse). */
function isNotThere(error: unknown): boolean {
  return isMissing(error) || errorCodeOf(error) === 'ResourceTypeMismatch';
}

/**
 * Marks a task's failure as observed at once: awaited later, after tasks before it, a rejection
 * without a handler meanwhile would be an unhandled rejection, which ends the Node process.
 */
function observed<T>(task: Promise<T>): Promise<T> {
  task.catch(() => undefined);
  return task;
}

/** Waits for every task (the list may grow meanwhile), then throws the first failure. */
async function settleAll(tasks: Array<Promise<unknown>>): Promise<void> {
  tasks.forEach(observed);
  let failure: unknown = null;
  for (let i = 0; i < tasks.length; i++) {
    try {
      await tasks[i];
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}

