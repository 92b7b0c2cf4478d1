import { randomUUID } from 'node:crypto';
import { foldName } from './names';
import { errors, ServiceError } from './serviceErrors';

export interface PeerFile {
  readonly kind: 'file';
  name: string;
  /** Fixed at Create File and Set File Properties (x-ms-content-length); Put Range writes inside it. */
  content: Buffer;
  readonly id: string;
  readonly createdAt: Date;
  lastModified: Date;
  etag: string;
}

export interface PeerDirectory {
  readonly kind: 'directory';
  name: string;
  /** Keyed by the folded name: names compare case-insensitively, and keep the case they were given. */
  readonly children: Map<string, PeerNode>;
  readonly id: string;
  readonly createdAt: Date;
  lastModified: Date;
  etag: string;
}

export type PeerNode = PeerFile | PeerDirectory;

let etagCounter = 0x8dc0000_0000000;
const nextEtag = (): string => `"0x${(etagCounter++).toString(16).toUpperCase()}"`;

function newDirectory(name: string): PeerDirectory {
  const now = new Date();
  return {
    kind: 'directory',
    name,
    children: new Map(),
    id: randomUUID(),
    createdAt: now,
    lastModified: now,
    etag: nextEtag(),
  };
}

export interface ListedPage {
  readonly entries: PeerNode[];
  readonly nextMarker: string;
}

/**
 * One share's tree of directories and files, with the outcomes the Files REST operations document:
 * ParentNotFound when a parent directory is missing (or is a file), ResourceNotFound when the
 * resource itself is, ResourceAlreadyExists / ResourceTypeMismatch / DirectoryNotEmpty as 409.
 */
export class PeerShare {
  readonly root = newDirectory('');

  constructor(readonly name: string) {}

  find(components: readonly string[]): PeerNode | undefined {
    let node: PeerNode = this.root;
    for (const component of components) {
      if (node.kind !== 'directory') return undefined;
      const child: PeerNode | undefined = node.children.get(foldName(component));
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  /** The directory that holds `components`' last name; ParentNotFound when it is missing or a file. */
  parentOf(components: readonly string[]): PeerDirectory {
    const parent = this.find(components.slice(0, -1));
    if (parent?.kind !== 'directory') throw errors.parentNotFound();
    return parent;
  }

  directory(components: readonly string[]): PeerDirectory {
    if (components.length === 0) return this.root;
    const node = this.parentOf(components).children.get(foldName(last(components)));
    if (node?.kind !== 'directory') throw errors.resourceNotFound();
    return node;
  }

  file(components: readonly string[]): PeerFile {
    if (components.length === 0) throw errors.resourceNotFound();
    const node = this.parentOf(components).children.get(foldName(last(components)));
    if (node?.kind !== 'file') throw errors.resourceNotFound();
    return node;
  }

  createDirectory(components: readonly string[]): PeerDirectory {
    if (components.length === 0) throw errors.resourceAlreadyExists();
    const parent = this.parentOf(components);
    const key = foldName(last(components));
    if (parent.children.has(key)) throw errors.resourceAlreadyExists();
    const created = newDirectory(last(components));
    parent.children.set(key, created);
    return created;
  }

  deleteDirectory(components: readonly string[]): void {
    if (components.length === 0)
      throw new ServiceError(400, 'InvalidUri', 'The share root cannot be deleted as a directory.');
    const directory = this.directory(components);
    if (directory.children.size > 0) throw errors.directoryNotEmpty();
    this.parentOf(components).children.delete(foldName(directory.name));
  }

  /** Create File: a new file of `size` zero bytes, replacing a file of that name (not a directory). */
  createFile(components: readonly string[], size: number): PeerFile {
    if (components.length === 0) throw errors.resourceTypeMismatch();
    const parent = this.parentOf(components);
    const key = foldName(last(components));
    const existing = parent.children.get(key);
    if (existing?.kind === 'directory') throw errors.resourceTypeMismatch();
    const now = new Date();
    const created: PeerFile = {
      kind: 'file',
      name: existing?.name ?? last(components), // a replaced file keeps its name's case, as NTFS does
      content: Buffer.alloc(size),
      id: randomUUID(),
      createdAt: now,
      lastModified: now,
      etag: nextEtag(),
    };
    parent.children.set(key, created);
    return created;
  }

  deleteFile(components: readonly string[]): void {
    const file = this.file(components);
    this.parentOf(components).children.delete(foldName(file.name));
  }

  /**
   * Rename File / Rename Directory. The source must exist as the kind the operation names. An
   * existing destination is replaced only when asked and only by a file over a file (a directory is
   * never replaced: ResourceTypeMismatch); renaming onto itself changes only the name's case.
   */
  rename(
    kind: PeerNode['kind'],
    source: readonly string[],
    destination: readonly string[],
    replaceIfExists: boolean,
  ): PeerNode {
    if (source.length === 0 || destination.length === 0)
      throw new ServiceError(400, 'InvalidInput', 'One of the request inputs is not valid.');
    const sourceParent = this.find(source.slice(0, -1));
    const moving = sourceParent?.kind === 'directory' ? sourceParent.children.get(foldName(last(source))) : undefined;
    if (sourceParent?.kind !== 'directory' || !moving) throw errors.resourceNotFound();
    if (moving.kind !== kind) throw errors.resourceTypeMismatch();
    const destinationParent = this.parentOf(destination);
    if (moving.kind === 'directory' && isInside(destinationParent, moving)) {
      throw new ServiceError(400, 'InvalidInput', 'A directory cannot be moved into itself.');
    }
    const key = foldName(last(destination));
    const existing = destinationParent.children.get(key);
    if (existing && existing !== moving) {
      if (!replaceIfExists) throw errors.resourceAlreadyExists();
      if (existing.kind === 'directory' || moving.kind === 'directory') throw errors.resourceTypeMismatch();
    }
    sourceParent.children.delete(foldName(moving.name));
    moving.name = last(destination);
    moving.lastModified = new Date();
    destinationParent.children.set(key, moving);
    return moving;
  }

  /** One page of a directory's children, ordered by folded name, from `marker` on. */
  list(directory: PeerDirectory, options: { prefix: string; marker: string; maxResults: number }): ListedPage {
    const prefix = foldName(options.prefix);
    const keys = [...directory.children.keys()].filter((key) => key.startsWith(prefix)).sort();
    const start = options.marker === '' ? 0 : keys.findIndex((key) => key >= options.marker);
    const from = start < 0 ? keys.length : start;
    const page = keys.slice(from, from + options.maxResults);
    const next = keys[from + options.maxResults];
    return { entries: page.map((key) => directory.children.get(key)!), nextMarker: next ?? '' };
  }

  /** Every path in the share, as stored ('dir/', 'dir/file'), for tests to look at. */
  paths(): string[] {
    const out: string[] = [];
    const walk = (directory: PeerDirectory, prefix: string): void => {
      for (const child of directory.children.values()) {
        const path = `${prefix}${child.name}`;
        out.push(child.kind === 'directory' ? `${path}/` : path);
        if (child.kind === 'directory') walk(child, `${path}/`);
      }
    };
    walk(this.root, '');
    return out.sort();
  }
}

export function touch(node: PeerNode): void {
  node.lastModified = new Date();
  node.etag = nextEtag();
}

function isInside(directory: PeerDirectory, ancestor: PeerDirectory): boolean {
  if (directory === ancestor) return true;
  for (const child of ancestor.children.values()) {
    if (child.kind === 'directory' && isInside(directory, child)) return true;
  }
  return false;
}

function last(components: readonly string[]): string {
  return components[components.length - 1] ?? '';
}
