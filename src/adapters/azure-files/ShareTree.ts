import type { ShareClient, ShareDirectoryClient, ShareFileClient } from '@azure/storage-file-share';
import pLimit from 'p-limit';
import type { FileEntry } from '../../ports/FileStore';
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';
import { isNotThere, mapShareError } from './mapShareError';
import { observed, settleAll } from './settleAll';
import { isPrivateFolderName, joinSegments, sameName } from './sharePaths';

/** Most entries one List Directories and Files call may return. */
export const SERVICE_PAGE_SIZE = 5000;
/** Parallel calls when walking or deleting a tree: few enough not to be throttled on one share. */
export const TREE_CONCURRENCY = 8;

export interface Child {
  readonly name: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
  readonly modifiedAt: Date;
}

export interface Found {
  readonly segments: string[];
  readonly entry: FileEntry;
}

/**
 * Finding things on a share: clients for a path, one entry's properties, a folder's entries over
 * every page of List Directories and Files, a walk of a tree, and the single other Unicode spelling
 * of a name the share stores (looked for only after the exact name missed, so plain names cost no
 * extra call).
 */
export class ShareTree {
  constructor(
    readonly share: ShareClient,
    private readonly pageSize: number,
  ) {}

  directory(segments: readonly string[]): ShareDirectoryClient {
    return this.share.getDirectoryClient(joinSegments(segments));
  }

  file(segments: readonly string[]): ShareFileClient {
    return this.share.rootDirectoryClient.getFileClient(joinSegments(segments));
  }

  /**
   * `attempt` on the exact segments; when that finds nothing and a segment is an NFC name, once more
   * on the names the share stores for them (see FileStore: the single entry of another spelling).
   */
  async withTwins<T>(segments: string[], attempt: (segments: string[]) => Promise<T | null>): Promise<T | null> {
    const exact = await attempt(segments);
    if (exact !== null || !segments.some(mayNameATwin)) return exact;
    const stored = await this.storedSpelling(segments);
    if (stored === null || stored.every((segment, i) => segment === segments[i])) return null;
    return attempt(stored);
  }

  async find(segments: string[]): Promise<Found | null> {
    if (segments.length === 0) return { segments, entry: await this.rootEntry() };
    return this.withTwins(segments, async (exact) => {
      const entry = await this.exact(exact);
      return entry === null ? null : { segments: exact, entry };
    });
  }

  /** The file or folder at exactly `segments` (one call for a file, two for a folder), or null. */
  async exact(segments: readonly string[]): Promise<FileEntry | null> {
    const path = joinSegments(segments);
    try {
      const properties = await this.file(segments).getProperties();
      return {
        path,
        kind: 'file',
        size: properties.contentLength ?? 0,
        modifiedAt: properties.lastModified ?? new Date(0),
        executable: false,
      };
    } catch (error) {
      if (!isNotThere(error)) throw mapShareError(error, 'stat', path);
    }
    try {
      const properties = await this.directory(segments).getProperties();
      return {
        path,
        kind: 'directory',
        size: 0,
        modifiedAt: properties.lastModified ?? new Date(0),
        executable: false,
      };
    } catch (error) {
      if (isNotThere(error)) return null;
      throw mapShareError(error, 'stat', path);
    }
  }

  async isDirectory(segments: readonly string[]): Promise<boolean> {
    try {
      await this.directory(segments).getProperties();
      return true;
    } catch (error) {
      if (isNotThere(error)) return false;
      throw error;
    }
  }

  /** The folder's entries, all pages of them, or null when there is no folder at `segments`. */
  async children(segments: readonly string[]): Promise<Child[] | null> {
    const children: Child[] = [];
    try {
      const pages = this.directory(segments)
        .listFilesAndDirectories({ includeTimestamps: true })
        .byPage({ maxPageSize: this.pageSize });
      for await (const page of pages) {
        for (const item of page.segment.directoryItems) {
          const modifiedAt = item.properties?.lastModified ?? item.properties?.lastWriteTime ?? new Date(0);
          children.push({ name: String(item.name), kind: 'directory', size: 0, modifiedAt });
        }
        for (const item of page.segment.fileItems) {
          const modifiedAt = item.properties.lastModified ?? item.properties.lastWriteTime ?? new Date(0);
          children.push({
            name: String(item.name),
            kind: 'file',
            size: item.properties.contentLength ?? 0,
            modifiedAt,
          });
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
  async walk(segments: string[], children: Child[], recursive: boolean): Promise<Found[]> {
    const found: Found[] = [];
    const limit = pLimit(TREE_CONCURRENCY);
    const pending: Array<Promise<void>> = [];
    const collect = (folder: string[], items: Child[]): void => {
      for (const child of items) {
        if (folder.length === 0 && isPrivateFolderName(child.name)) continue;
        const childSegments = [...folder, child.name];
        found.push({
          segments: childSegments,
          entry: {
            path: joinSegments(childSegments),
            kind: child.kind,
            size: child.size,
            modifiedAt: child.modifiedAt,
            executable: false,
          },
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

  /** The file stored under another spelling of `target`'s missing NFC name, when exactly one is. */
  async twinFileOf(target: readonly string[]): Promise<string[] | null> {
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

  private async rootEntry(): Promise<FileEntry> {
    try {
      const properties = await this.share.rootDirectoryClient.getProperties();
      return {
        path: '',
        kind: 'directory',
        size: 0,
        modifiedAt: properties.lastModified ?? new Date(0),
        executable: false,
      };
    } catch (error) {
      throw mapShareError(error, 'stat', '');
    }
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
}
