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
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';

/** The store operations a test can make fail with `failNext`. */
export type FileStoreOperation = Exclude<keyof FileStore, 'capabilities'>;

export interface InMemoryFileStoreOptions {
  /** Defaults: executable bit kept, case-sensitive, 4096 characters (a Linux volume). */
  readonly capabilities?: Partial<FileStoreCapabilities>;
  /** Source of modification times; defaults to the system clock. */
  readonly now?: () => Date;
}

interface FileNode {
  readonly kind: 'file';
  name: string;
  data: Uint8Array;
  executable: boolean;
  modifiedAt: Date;
}

interface DirectoryNode {
  readonly kind: 'directory';
  name: string;
  /** Keyed by the name as the store compares it (lower-cased when case-insensitive). */
  readonly children: Map<string, Node>;
  modifiedAt: Date;
}

type Node = FileNode | DirectoryNode;

/**
 * A FileStore held in memory, with the same semantics as the local volume: a tree of folders and
 * files, atomic writes (content is collected fully, then swapped in one step), case-insensitivity
 * on request (to stand in for Azure Files) and injectable faults for tests.
 */
export class InMemoryFileStore implements FileStore {
  readonly capabilities: FileStoreCapabilities;
  private readonly now: () => Date;
  private readonly root: DirectoryNode;
  private readonly faults = new Map<FileStoreOperation, unknown[]>();

  constructor(options: InMemoryFileStoreOptions = {}) {
    this.capabilities = {
      executableBit: options.capabilities?.executableBit ?? true,
      caseSensitive: options.capabilities?.caseSensitive ?? true,
      maxPathLength: options.capabilities?.maxPathLength ?? 4096,
    };
    this.now = options.now ?? (() => new Date());
    this.root = { kind: 'directory', name: '', children: new Map(), modifiedAt: this.now() };
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
    const node = this.find(segmentsOf(path));
    return node?.kind === 'file' ? node.data.slice() : null;
  }

  async readStream(path: string): Promise<AsyncIterable<Uint8Array> | null> {
    this.injectFault('readStream');
    const node = this.find(segmentsOf(path));
    // A write swaps in a new buffer and never changes one in place, so this one is a snapshot.
    return node?.kind === 'file' ? chunksOf(node.data) : null;
  }

  async stat(path: string): Promise<FileEntry | null> {
    this.injectFault('stat');
    const segments = segmentsOf(path);
    const node = this.find(segments);
    return node ? this.toEntry(this.displayPath(segments), node) : null;
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    this.injectFault('list');
    const segments = segmentsOf(dir);
    const node = this.find(segments);
    if (node?.kind !== 'directory') return [];
    const entries: FileEntry[] = [];
    this.collect(node, this.displayPath(segments), options?.recursive === true, entries);
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
    const parent = this.ensureFolders(segments.slice(0, -1), path);
    const name = last(segments);
    const existing = parent.children.get(this.key(name));
    if (existing?.kind === 'directory') throw new FileStoreError('Conflict', `write '${path}': a folder is there`);
    // The file stored under another spelling of this NFC name is replaced, and takes this name.
    if (!existing) this.removeTwinFile(parent, name);
    if (existing) {
      existing.data = data;
      existing.executable = executable;
      existing.modifiedAt = this.now();
    } else {
      parent.children.set(this.key(name), { kind: 'file', name, data, executable, modifiedAt: this.now() });
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.injectFault('rename');
    const source = this.checkedFilePath(from, 'rename');
    const target = this.checkedFilePath(to, 'rename');
    const sourceParent = this.find(source.slice(0, -1));
    const moving = sourceParent?.kind === 'directory' ? this.child(sourceParent, last(source)) : undefined;
    if (sourceParent?.kind !== 'directory' || !moving) {
      throw new FileStoreError('NotFound', `rename '${from}': no such file`);
    }
    if (this.sameKeys(source, target)) return;
    if (moving.kind === 'directory' && this.isPrefix(source, target)) {
      throw new FileStoreError('Conflict', `rename '${from}' into itself`);
    }
    const targetParent = this.ensureFolders(target.slice(0, -1), to);
    const targetKey = this.key(last(target));
    const replaced = targetParent.children.get(targetKey);
    if (replaced?.kind === 'directory' && replaced.children.size > 0) {
      throw new FileStoreError('Conflict', `rename to '${to}': a non-empty folder is there`);
    }
    if (replaced?.kind === 'file' && moving.kind === 'directory') {
      throw new FileStoreError('Conflict', `rename to '${to}': a file is there`);
    }
    sourceParent.children.delete(this.key(moving.name));
    if (!replaced && moving.kind === 'file') this.removeTwinFile(targetParent, last(target));
    moving.name = last(target);
    targetParent.children.set(targetKey, moving);
  }

  /** One move at a time, each through `rename` (so a fault injected there, or a wrapper of it, applies). */
  async moveAll(moves: readonly FileMove[], options?: MoveAllOptions): Promise<void> {
    this.injectFault('moveAll');
    for (const move of moves) {
      await options?.beforeEach?.();
      await this.rename(move.from, move.to);
    }
  }

  async delete(path: string): Promise<void> {
    this.injectFault('delete');
    const segments = this.checkedFilePath(path, 'delete');
    const parent = this.find(segments.slice(0, -1));
    if (parent?.kind !== 'directory') return;
    const node = this.child(parent, last(segments));
    if (!node) return;
    if (node.kind === 'directory') throw new FileStoreError('Conflict', `delete '${path}': it is a folder`);
    parent.children.delete(this.key(node.name));
  }

  async createDirectory(path: string): Promise<void> {
    this.injectFault('createDirectory');
    this.checkLength(path);
    this.ensureFolders(segmentsOf(path), path);
  }

  async deleteTree(path: string): Promise<void> {
    this.injectFault('deleteTree');
    const segments = segmentsOf(path);
    if (segments.length === 0) {
      this.root.children.clear();
      return;
    }
    const parent = this.find(segments.slice(0, -1));
    const node = parent?.kind === 'directory' ? this.child(parent, last(segments)) : undefined;
    if (parent?.kind === 'directory' && node) parent.children.delete(this.key(node.name));
  }

  async pruneEmptyDirectories(dir: string, stopAt: string): Promise<void> {
    this.injectFault('pruneEmptyDirectories');
    const stop = segmentsOf(stopAt);
    let current = segmentsOf(dir);
    while (current.length > stop.length && this.isPrefix(stop, current)) {
      const parent = this.find(current.slice(0, -1), { exact: true });
      if (parent?.kind !== 'directory') {
        current = current.slice(0, -1);
        continue; // already gone: its parent may be empty too
      }
      const key = this.key(last(current));
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

  private key(name: string): string {
    return this.capabilities.caseSensitive ? name : name.toLowerCase();
  }

  private sameKeys(a: string[], b: string[]): boolean {
    return a.length === b.length && this.isPrefix(a, b);
  }

  private isPrefix(prefix: string[], of: string[]): boolean {
    return prefix.length <= of.length && prefix.every((segment, i) => this.key(segment) === this.key(of[i] ?? ''));
  }

  /** The node at `segments`; each segment also finds its single twin spelling unless `exact`. */
  private find(segments: string[], options: { exact?: boolean } = {}): Node | undefined {
    let node: Node = this.root;
    for (const segment of segments) {
      if (node.kind !== 'directory') return undefined;
      const child: Node | undefined =
        options.exact === true ? node.children.get(this.key(segment)) : this.child(node, segment);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** The child named `name`, else the single child stored under another spelling of that NFC name. */
  private child(folder: DirectoryNode, name: string): Node | undefined {
    const exact = folder.children.get(this.key(name));
    if (exact || !mayNameATwin(name)) return exact;
    const twin = singleTwin(folder.children.keys(), this.key(name));
    return twin === null ? undefined : folder.children.get(twin);
  }

  /** Writing a file by an NFC name replaces the single file stored under another spelling of it. */
  private removeTwinFile(folder: DirectoryNode, name: string): void {
    const twin = mayNameATwin(name) ? this.child(folder, name) : undefined;
    if (twin?.kind === 'file') folder.children.delete(this.key(twin.name));
  }

  /** The path as stored (first-created casing and spelling win). */
  private displayPath(segments: string[]): string {
    const names: string[] = [];
    let node: Node = this.root;
    for (const segment of segments) {
      const child: Node | undefined = node.kind === 'directory' ? this.child(node, segment) : undefined;
      if (!child) return segments.join('/');
      names.push(child.name);
      node = child;
    }
    return names.join('/');
  }

  private ensureFolders(segments: string[], forPath: string): DirectoryNode {
    let folder = this.root;
    for (const segment of segments) {
      let child = folder.children.get(this.key(segment));
      if (!child && mayNameATwin(segment)) {
        // A folder stored under another spelling of this NFC name is the one meant: it takes the name.
        const twin = this.child(folder, segment);
        if (twin?.kind === 'directory') {
          folder.children.delete(this.key(twin.name));
          twin.name = segment;
          folder.children.set(this.key(segment), twin);
          child = twin;
        }
      }
      if (child?.kind === 'file') throw new FileStoreError('Conflict', `'${forPath}': a parent is a file`);
      if (child) {
        folder = child;
      } else {
        const created: DirectoryNode = {
          kind: 'directory',
          name: segment,
          children: new Map(),
          modifiedAt: this.now(),
        };
        folder.children.set(this.key(segment), created);
        folder = created;
      }
    }
    return folder;
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

  private collect(folder: DirectoryNode, folderPath: string, recursive: boolean, into: FileEntry[]): void {
    for (const child of folder.children.values()) {
      const childPath = folderPath === '' ? child.name : `${folderPath}/${child.name}`;
      into.push(this.toEntry(childPath, child));
      if (recursive && child.kind === 'directory') this.collect(child, childPath, true, into);
    }
  }

  private toEntry(path: string, node: Node): FileEntry {
    return node.kind === 'file'
      ? { path, kind: 'file', size: node.data.byteLength, modifiedAt: node.modifiedAt, executable: node.executable }
      : { path, kind: 'directory', size: 0, modifiedAt: node.modifiedAt, executable: false };
  }
}

/**
 * Splits a store path into segments. Like the local volume, anything that could climb out of the
 * root is refused even though callers have passed the path policy.
 */
function segmentsOf(path: string): string[] {
  if (path === '') return [];
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (path.startsWith('/') || path.includes('\0') || segments.includes('..')) {
    throw new FileStoreError('Conflict', `path '${path.replace(/\0/g, '\\0')}' is outside the store root`);
  }
  return segments;
}

function last(segments: string[]): string {
  return segments[segments.length - 1] ?? '';
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
