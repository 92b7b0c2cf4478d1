import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ShareClient, ShareDirectoryClient, ShareFileClient } from '@azure/storage-file-share';
import { eachFileMove, type FolderMoves } from '../../ports/FileMoves';
import {
  type FileContent,
  type FileEntry,
  type FileMove,
  type FileStore,
  type FileStoreCapabilities,
  FileStoreError,
  isPrivatePath,
  type MoveAllOptions,
  PRIVATE_FOLDER,
  type WriteOptions,
} from '../../ports/FileStore';
import { mayNameATwin } from '../../ports/FileStoreNames';
import { releasingChunks } from '../streams/releasingChunks';
import { errorCodeOf, isMissing, isNotThere, mapShareError } from './mapShareError';
import { type PlaceOptions, placeByRename } from './placeByRename';
import { ShareFolders } from './ShareFolders';
import { SERVICE_PAGE_SIZE, ShareTree } from './ShareTree';
import { isPrivateFolderName, joinSegments, MAX_PATH_LENGTH, sameName, segmentsOf } from './sharePaths';
import { createStaged, removeStaleStagedFiles, STAGING_SEGMENTS } from './stagingFolder';
import { ContentSourceError, uploadInRanges } from './uploadInRanges';

export interface AzureFilesFileStoreOptions {
  /** Entries asked for per List Directories and Files call (maxresults); at most 5,000. */
  readonly pageSize?: number;
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
  readonly capabilities: FileStoreCapabilities = {
    executableBit: false,
    caseSensitive: false,
    maxPathLength: MAX_PATH_LENGTH,
  };

  private readonly folders: ShareFolders;

  private constructor(private readonly tree: ShareTree) {
    this.folders = new ShareFolders(tree);
  }

  /**
   * Opens the store on an existing share: checks that it answers (a missing share or a refused
   * identity stops the start instead of the first sync), creates the staging folder and removes
   * staged files a crashed writer left behind.
   */
  static async open(share: ShareClient, options: AzureFilesFileStoreOptions = {}): Promise<AzureFilesFileStore> {
    const store = new AzureFilesFileStore(
      new ShareTree(share, Math.min(SERVICE_PAGE_SIZE, Math.max(1, options.pageSize ?? SERVICE_PAGE_SIZE))),
    );
    try {
      await share.rootDirectoryClient.getProperties();
    } catch (error) {
      throw mapShareError(error, 'open share', share.name);
    }
    await store.folders.ensure(STAGING_SEGMENTS, PRIVATE_FOLDER);
    await removeStaleStagedFiles(store.tree);
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
    return download === null
      ? null
      : releasingChunks(download.body, (error) => mapShareError(error, 'read', download.path));
  }

  async stat(storePath: string): Promise<FileEntry | null> {
    const segments = segmentsOf(storePath);
    return (await this.tree.find(segments))?.entry ?? null;
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    const found = await this.tree.withTwins(segmentsOf(dir), async (segments) => {
      const children = await this.tree.children(segments);
      return children === null ? null : { segments, children };
    });
    if (found === null) return [];
    const entries = await this.tree.walk(found.segments, found.children, options?.recursive === true);
    return entries.map((item) => item.entry).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Always atomic (temp file, then rename), scratch writes too: a share has no cheaper way that is safe. */
  async write(storePath: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const target = this.nonRoot(storePath, 'write');
    if (options?.scratch === true && !isPrivatePath(storePath))
      throw new FileStoreError('Conflict', `write '${storePath}': a scratch write must stay in the private folder`);
    const staged = this.tree.file([...STAGING_SEGMENTS, `${randomUUID()}.tmp`]);
    try {
      await uploadInRanges(staged, content, (size) => createStaged(this.folders, staged, size));
      await this.place(staged, target, 'write', {
        emptyFolderGivesWay: false,
        replacesTwin: true,
        sourceExists: async () => true,
      });
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
      const found = await this.tree.find(source);
      if (found === null) throw new FileStoreError('NotFound', `rename '${from}': no such file`);
      if (found.segments.length === target.length && found.segments.every((segment, i) => segment === target[i]))
        return;
      const isFile = found.entry.kind === 'file';
      const client = isFile ? this.tree.file(found.segments) : this.tree.directory(found.segments);
      await this.place(client, target, 'rename', {
        emptyFolderGivesWay: isFile,
        replacesTwin: isFile,
        sourceExists: async () => (await this.tree.exact(found.segments)) !== null,
        source: found.segments,
      });
    } catch (error) {
      throw mapShareError(error, `rename to '${to}' from`, from);
    }
  }

  /** One rename at a time: the share's own latency, not the folder checks, is what a batch costs here. */
  async moveAll(moves: readonly FileMove[] | FolderMoves, options?: MoveAllOptions): Promise<void> {
    for (const move of eachFileMove(moves)) {
      await options?.beforeEach?.();
      await this.rename(move.from, move.to);
    }
  }

  async delete(storePath: string): Promise<void> {
    const segments = this.nonRoot(storePath, 'delete');
    await this.tree.withTwins(segments, async (exact) => {
      try {
        await this.tree.file(exact).delete();
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
      if (segments.some(mayNameATwin)) await this.folders.renameTwinFolders(segments);
      await this.folders.ensure(segments, storePath);
    } catch (error) {
      throw mapShareError(error, 'create directory', storePath);
    }
  }

  async deleteTree(storePath: string): Promise<void> {
    const segments = segmentsOf(storePath);
    try {
      if (segments.length === 0) {
        // Emptying the whole store must not take the private folder with it.
        const children = (await this.tree.children([])) ?? [];
        for (const child of children) {
          if (!isPrivateFolderName(child.name)) await this.folders.removeTree([child.name], child.kind);
        }
        return;
      }
      const found = await this.tree.find(segments);
      if (found !== null) await this.folders.removeTree(found.segments, found.entry.kind);
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
        await this.tree.directory(current).delete();
      } catch (error) {
        const code = errorCodeOf(error);
        if (code === 'DirectoryNotEmpty' || code === 'ResourceTypeMismatch') return;
        if (!isMissing(error)) throw mapShareError(error, 'prune', joinSegments(current));
        // Already gone: its parent may be empty too.
      }
      current = current.slice(0, -1);
    }
  }

  private place(
    source: ShareFileClient | ShareDirectoryClient,
    target: string[],
    operation: string,
    options: PlaceOptions,
  ): Promise<void> {
    return placeByRename(this.tree, this.folders, source, target, operation, options);
  }

  private nonRoot(storePath: string, operation: string): string[] {
    const segments = segmentsOf(storePath);
    if (segments.length === 0) throw new FileStoreError('Conflict', `cannot ${operation} the store root`);
    return segments;
  }

  private async openDownload(segments: string[], operation: string): Promise<{ body: Readable; path: string } | null> {
    if (segments.length === 0) return null;
    return this.tree.withTwins(segments, async (exact) => {
      const path = joinSegments(exact);
      try {
        // One Get File for the whole file: its answer is one version of it. The SDK resumes a broken
        // body with ranged requests only while the ETag is unchanged, so no read mixes two versions.
        const response = await this.tree.file(exact).download();
        const body = response.readableStreamBody as Readable | undefined;
        if (body === undefined)
          throw new FileStoreError('Unavailable', `${operation} '${path}': the answer had no body`);
        return { body, path };
      } catch (error) {
        if (isNotThere(error)) return null;
        throw mapShareError(error, operation, path);
      }
    });
  }
}
