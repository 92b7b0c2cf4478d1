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
  type WriteOptions,
} from '../../ports/FileStore';
import { last, MemoryTree, segmentsOf } from './MemoryTree';

/** The store operations a test can make fail with `failNext`. */
export type FileStoreOperation = Exclude<keyof FileStore, 'capabilities'>;

export interface InMemoryFileStoreOptions {
  /** Defaults: executable bit kept, case-sensitive, 4096 characters (a Linux volume). */
  readonly capabilities?: Partial<FileStoreCapabilities>;
  /** Source of modification times; defaults to the system clock. */
  readonly now?: () => Date;
}

/**
 * A FileStore held in memory, with the same semantics as the local volume: a tree of folders and
 * files, atomic writes (content is collected fully, then swapped in one step), case-insensitivity
 * on request (to stand in for Azure Files) and injectable faults for tests.
 */
export class InMemoryFileStore implements FileStore {
  readonly capabilities: FileStoreCapabilities;
  private readonly now: () => Date;
  private readonly tree: MemoryTree;
  private readonly faults = new Map<FileStoreOperation, unknown[]>();

  constructor(options: InMemoryFileStoreOptions = {}) {
    this.capabilities = {
      executableBit: options.capabilities?.executableBit ?? true,
      caseSensitive: options.capabilities?.caseSensitive ?? true,
      maxPathLength: options.capabilities?.maxPathLength ?? 4096,
    };
    this.now = options.now ?? (() => new Date());
    this.tree = new MemoryTree(this.capabilities.caseSensitive, this.now);
  }

  /** Makes the next call of `operation` throw `error` (queued: call twice to fail twice). */
  failNext(
    operation: FileStoreOperation,
    error: unknown = new FileStoreError('Unavailable', `injected ${operation} fault`),
  ): void {
    const queue = this.faults.get(operation) ?? [];
    queue.push(error);
    this.faults.set(operation, queue);
  }

  async read(path: string): Promise<Uint8Array | null> {
    this.injectFault('read');
    const node = this.tree.find(segmentsOf(path));
    return node?.kind === 'file' ? node.data.slice() : null;
  }

  async readStream(path: string): Promise<AsyncIterable<Uint8Array> | null> {
    this.injectFault('readStream');
    const node = this.tree.find(segmentsOf(path));
    // A write swaps in a new buffer and never changes one in place, so this one is a snapshot.
    return node?.kind === 'file' ? chunksOf(node.data) : null;
  }

  async stat(path: string): Promise<FileEntry | null> {
    this.injectFault('stat');
    const segments = segmentsOf(path);
    const node = this.tree.find(segments);
    return node ? this.tree.toEntry(this.tree.displayPath(segments), node) : null;
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    this.injectFault('list');
    const segments = segmentsOf(dir);
    const node = this.tree.find(segments);
    if (node?.kind !== 'directory') return [];
    const entries: FileEntry[] = [];
    this.tree.collect(node, this.tree.displayPath(segments), options?.recursive === true, entries);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async write(path: string, content: FileContent, options?: WriteOptions): Promise<void> {
    this.injectFault('write');
    const segments = this.checkedFilePath(path, 'write');
    if (options?.scratch === true && !isPrivatePath(path))
      throw new FileStoreError('Conflict', `write '${path}': a scratch write must stay in the private folder`);
    // Collect everything before touching the tree, so a failing source leaves the old file as is.
    const data = content instanceof Uint8Array ? content.slice() : await collect(content);
    const executable = this.capabilities.executableBit && options?.executable === true;
    const parent = this.tree.ensureFolders(segments.slice(0, -1), path);
    const name = last(segments);
    const existing = parent.children.get(this.tree.key(name));
    if (existing?.kind === 'directory') throw new FileStoreError('Conflict', `write '${path}': a folder is there`);
    // The file stored under another spelling of this NFC name is replaced, and takes this name.
    if (!existing) this.tree.removeTwinFile(parent, name);
    if (existing) {
      existing.data = data;
      existing.executable = executable;
      existing.modifiedAt = this.now();
    } else {
      parent.children.set(this.tree.key(name), { kind: 'file', name, data, executable, modifiedAt: this.now() });
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.injectFault('rename');
    const source = this.checkedFilePath(from, 'rename');
    const target = this.checkedFilePath(to, 'rename');
    const sourceParent = this.tree.find(source.slice(0, -1));
    const moving = sourceParent?.kind === 'directory' ? this.tree.child(sourceParent, last(source)) : undefined;
    if (sourceParent?.kind !== 'directory' || !moving) {
      throw new FileStoreError('NotFound', `rename '${from}': no such file`);
    }
    if (this.tree.sameKeys(source, target)) return;
    if (moving.kind === 'directory' && this.tree.isPrefix(source, target)) {
      throw new FileStoreError('Conflict', `rename '${from}' into itself`);
    }
    const targetParent = this.tree.ensureFolders(target.slice(0, -1), to);
    const targetKey = this.tree.key(last(target));
    const replaced = targetParent.children.get(targetKey);
    if (replaced?.kind === 'directory' && replaced.children.size > 0) {
      throw new FileStoreError('Conflict', `rename to '${to}': a non-empty folder is there`);
    }
    if (replaced?.kind === 'file' && moving.kind === 'directory') {
      throw new FileStoreError('Conflict', `rename to '${to}': a file is there`);
    }
    sourceParent.children.delete(this.tree.key(moving.name));
    if (!replaced && moving.kind === 'file') this.tree.removeTwinFile(targetParent, last(target));
    moving.name = last(target);
    targetParent.children.set(targetKey, moving);
  }

  /** One move at a time, each through `rename` (so a fault injected there, or a wrapper of it, applies). */
  async moveAll(moves: readonly FileMove[] | FolderMoves, options?: MoveAllOptions): Promise<void> {
    this.injectFault('moveAll');
    for (const move of eachFileMove(moves)) {
      await options?.beforeEach?.();
      await this.rename(move.from, move.to);
    }
  }

  async delete(path: string): Promise<void> {
    this.injectFault('delete');
    const segments = this.checkedFilePath(path, 'delete');
    const parent = this.tree.find(segments.slice(0, -1));
    if (parent?.kind !== 'directory') return;
    const node = this.tree.child(parent, last(segments));
    if (!node) return;
    if (node.kind === 'directory') throw new FileStoreError('Conflict', `delete '${path}': it is a folder`);
    parent.children.delete(this.tree.key(node.name));
  }

  async createDirectory(path: string): Promise<void> {
    this.injectFault('createDirectory');
    this.checkLength(path);
    this.tree.ensureFolders(segmentsOf(path), path);
  }

  async deleteTree(path: string): Promise<void> {
    this.injectFault('deleteTree');
    const segments = segmentsOf(path);
    if (segments.length === 0) {
      this.tree.root.children.clear();
      return;
    }
    const parent = this.tree.find(segments.slice(0, -1));
    const node = parent?.kind === 'directory' ? this.tree.child(parent, last(segments)) : undefined;
    if (parent?.kind === 'directory' && node) parent.children.delete(this.tree.key(node.name));
  }

  async pruneEmptyDirectories(dir: string, stopAt: string): Promise<void> {
    this.injectFault('pruneEmptyDirectories');
    const stop = segmentsOf(stopAt);
    let current = segmentsOf(dir);
    while (current.length > stop.length && this.tree.isPrefix(stop, current)) {
      const parent = this.tree.find(current.slice(0, -1), { exact: true });
      if (parent?.kind !== 'directory') {
        current = current.slice(0, -1);
        continue; // already gone: its parent may be empty too
      }
      const key = this.tree.key(last(current));
      const node = parent.children.get(key);
      if (node && (node.kind === 'file' || node.children.size > 0)) return;
      parent.children.delete(key);
      current = current.slice(0, -1);
    }
  }

  private injectFault(operation: FileStoreOperation): void {
    const queue = this.faults.get(operation);
    if (queue && queue.length > 0) throw queue.shift();
  }

  private checkedFilePath(path: string, operation: string): string[] {
    this.checkLength(path);
    const segments = segmentsOf(path);
    if (segments.length === 0) throw new FileStoreError('Conflict', `cannot ${operation} the store root`);
    return segments;
  }

  private checkLength(path: string): void {
    if (path.length > this.capabilities.maxPathLength) {
      throw new FileStoreError('Conflict', `path is longer than ${this.capabilities.maxPathLength} characters`);
    }
  }
}

/** Chunk size of streamed reads, as a volume would hand them out. */
const READ_CHUNK_BYTES = 64 * 1024;

async function* chunksOf(data: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += READ_CHUNK_BYTES) {
    yield data.slice(offset, offset + READ_CHUNK_BYTES); // a copy: the caller may change it
  }
}

async function collect(content: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of content) {
    chunks.push(chunk.slice());
    length += chunk.byteLength;
  }
  const data = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return data;
}
