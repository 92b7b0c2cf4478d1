import { type FileEntry, FileStoreError } from '../../ports/FileStore';
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';

interface FileNode {
  readonly kind: 'file';
  name: string;
  data: Uint8Array;
  executable: boolean;
  modifiedAt: Date;
}

export interface DirectoryNode {
  readonly kind: 'directory';
  name: string;
  /** Keyed by the name as the store compares it (lower-cased when case-insensitive). */
  readonly children: Map<string, Node>;
  modifiedAt: Date;
}

export type Node = FileNode | DirectoryNode;

/**
 * The folders and files of the in-memory store, with the name rules of a volume: names compared
 * case-insensitively on request, and an NFC name finding the single entry stored under another
 * spelling of it (its twin).
 */
export class MemoryTree {
  readonly root: DirectoryNode;

  constructor(
    private readonly caseSensitive: boolean,
    private readonly now: () => Date,
  ) {
    this.root = { kind: 'directory', name: '', children: new Map(), modifiedAt: now() };
  }

  key(name: string): string {
    return this.caseSensitive ? name : name.toLowerCase();
  }

  sameKeys(a: string[], b: string[]): boolean {
    return a.length === b.length && this.isPrefix(a, b);
  }

  isPrefix(prefix: string[], of: string[]): boolean {
    return prefix.length <= of.length && prefix.every((segment, i) => this.key(segment) === this.key(of[i] ?? ''));
  }

  /** The node at `segments`; each segment also finds its single twin spelling unless `exact`. */
  find(segments: string[], options: { exact?: boolean } = {}): Node | undefined {
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
  child(folder: DirectoryNode, name: string): Node | undefined {
    const exact = folder.children.get(this.key(name));
    if (exact || !mayNameATwin(name)) return exact;
    const twin = singleTwin(folder.children.keys(), this.key(name));
    return twin === null ? undefined : folder.children.get(twin);
  }

  /** Writing a file by an NFC name replaces the single file stored under another spelling of it. */
  removeTwinFile(folder: DirectoryNode, name: string): void {
    const twin = mayNameATwin(name) ? this.child(folder, name) : undefined;
    if (twin?.kind === 'file') folder.children.delete(this.key(twin.name));
  }

  /** The path as stored (first-created casing and spelling win). */
  displayPath(segments: string[]): string {
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

  ensureFolders(segments: string[], forPath: string): DirectoryNode {
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

  collect(folder: DirectoryNode, folderPath: string, recursive: boolean, into: FileEntry[]): void {
    for (const child of folder.children.values()) {
      const childPath = folderPath === '' ? child.name : `${folderPath}/${child.name}`;
      into.push(this.toEntry(childPath, child));
      if (recursive && child.kind === 'directory') this.collect(child, childPath, true, into);
    }
  }

  toEntry(path: string, node: Node): FileEntry {
    return node.kind === 'file'
      ? { path, kind: 'file', size: node.data.byteLength, modifiedAt: node.modifiedAt, executable: node.executable }
      : { path, kind: 'directory', size: 0, modifiedAt: node.modifiedAt, executable: false };
  }
}

/**
 * Splits a store path into segments. Like the local volume, anything that could climb out of the
 * root is refused even though callers have passed the path policy.
 */
export function segmentsOf(path: string): string[] {
  if (path === '') return [];
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (path.startsWith('/') || path.includes('\0') || segments.includes('..')) {
    throw new FileStoreError('Conflict', `path '${path.replace(/\0/g, '\\0')}' is outside the store root`);
  }
  return segments;
}

export function last(segments: string[]): string {
  return segments[segments.length - 1] ?? '';
}
