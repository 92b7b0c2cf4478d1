import { createHash } from 'node:crypto';
import { isValidRepository } from '../../src/domain/connections/Connection';
import {
  type ArchiveFile,
  ArchiveMismatch,
  type ExpectedBlobs,
  type GitMode,
  type SourceBytes,
  SourceError,
  type SourceErrorCode,
  type SourceLocation,
  type SourceRepository,
  type SourceRepositoryFactory,
  type SourceTree,
  type SourceTreeEntry,
} from '../../src/ports/SourceRepository';

/** A file of a commit as git stores it: a symlink holds its target, a submodule its commit SHA. */
export interface InMemoryFile {
  readonly content: Uint8Array;
  readonly mode: Exclude<GitMode, '040000'>;
  /** What the commit's archive holds for this file when that is not `content` (export-subst, filters, LFS). */
  readonly archived?: Uint8Array;
}

/** One repository: who may read it, its branches, and the snapshot of files of each commit. */
export interface InMemoryRepositoryState {
  readonly tokens: Set<string>;
  readonly branches: Map<string, string>;
  readonly commits: Map<string, Map<string, InMemoryFile>>;
}

/** A file to commit: text or bytes, or a spec for modes other than a plain file. */
export type InMemoryFileSpec =
  | string
  | Uint8Array
  | {
      readonly content?: string | Uint8Array;
      readonly executable?: boolean;
      readonly symlinkTo?: string;
      readonly submoduleCommit?: string;
      /** The bytes `git archive` writes instead of `content` (as `export-subst` or a filter would). */
      readonly archivedAs?: string | Uint8Array;
    };

export type InMemoryFiles =
  | Readonly<Record<string, InMemoryFileSpec>>
  | readonly ({ readonly path: string } & Exclude<InMemoryFileSpec, string | Uint8Array>)[];

export type SourceOperation = 'branchHead' | 'tree' | 'blob' | 'archive';

export interface FaultOptions {
  /** Only requests of this operation fail (default: any). */
  readonly operation?: SourceOperation;
  /** For RateLimited (default 60 s). */
  readonly retryAfterMs?: number;
  /** Archive only: the request succeeds and the stream fails after this many files. */
  readonly afterFiles?: number;
}

interface Fault extends FaultOptions {
  readonly code: SourceErrorCode;
  remaining: number;
}

/**
 * GitHub in memory, for unit tests: same semantics as the GitHub adapter (404-hidden private
 * repositories, null for a missing branch after a second lookup, folder entries in trees, real git
 * blob and tree SHAs, archives of regular files only) with fault injection and request counting.
 */
export class InMemorySourceRepositoryFactory implements SourceRepositoryFactory {
  readonly repositories = new Map<string, InMemoryRepositoryState>();
  private readonly validTokens = new Set<string>();
  private readonly faults: Fault[] = [];
  private requests = 0;
  private commitCounter = 0;

  /** Requests made through every repository this factory opened. */
  get requestCount(): number {
    return this.requests;
  }

  addRepository(fullName: string, options: { tokens?: Iterable<string> } = {}): InMemoryRepositoryState {
    if (!isValidRepository(fullName)) throw new Error(`'${fullName}' is not an owner/name repository`);
    const state: InMemoryRepositoryState = { tokens: new Set(), branches: new Map(), commits: new Map() };
    this.repositories.set(fullName, state);
    for (const token of options.tokens ?? []) this.grant(fullName, token);
    return state;
  }

  /** Makes `token` valid and lets it read `fullName`. */
  grant(fullName: string, token: string): void {
    this.state(fullName).tokens.add(token);
    this.validTokens.add(token);
  }

  /** A valid token that reads no repository yet (it sees 404s, as on GitHub). */
  addToken(token: string): void {
    this.validTokens.add(token);
  }

  /** The token becomes invalid everywhere (GitHub answers 401). */
  revokeToken(token: string): void {
    this.validTokens.delete(token);
  }

  /** Commits exactly `files` (a full snapshot) on `branch` (default 'main'); returns the commit SHA. */
  commit(fullName: string, files: InMemoryFiles, options: { branch?: string } = {}): string {
    const snapshot = new Map<string, InMemoryFile>();
    for (const [path, spec] of fileList(files)) snapshot.set(checkPath(path), toFile(spec));
    return this.store(fullName, snapshot, options.branch ?? 'main');
  }

  /** Commits the branch head plus `write`, minus `remove`; returns the commit SHA. */
  change(
    fullName: string,
    changes: { write?: InMemoryFiles; remove?: readonly string[] },
    options: { branch?: string } = {},
  ): string {
    const branch = options.branch ?? 'main';
    const state = this.state(fullName);
    const head = state.branches.get(branch);
    const snapshot = new Map(head ? state.commits.get(head) : undefined);
    for (const path of changes.remove ?? []) snapshot.delete(path);
    for (const [path, spec] of fileList(changes.write ?? {})) snapshot.set(checkPath(path), toFile(spec));
    return this.store(fullName, snapshot, branch);
  }

  /** Points `branch` at `commitSha`, or deletes it with null. */
  setBranch(fullName: string, branch: string, commitSha: string | null): void {
    const state = this.state(fullName);
    if (commitSha === null) state.branches.delete(branch);
    else state.branches.set(branch, commitSha);
  }

  /** The next `times` matching requests fail with `code` (retryable or not, as SourceError says). */
  failNext(code: SourceErrorCode, times = 1, options: FaultOptions = {}): void {
    this.faults.push({ code, remaining: times, ...options });
  }

  open(location: SourceLocation): SourceRepository {
    if (!isValidRepository(location.repository)) {
      throw new SourceError('NotFound', `'${location.repository}' is not an owner/name repository`);
    }
    if (location.token === '') throw new SourceError('Unauthorized', `no token to read ${location.repository}`);
    return new InMemorySourceRepository(this, location);
  }

  /** @internal One request from a repository object: counts it, applies faults, checks access. */
  request(
    location: SourceLocation,
    operation: SourceOperation,
    what: string,
  ): { state: InMemoryRepositoryState; fault?: Fault } {
    this.requests += 1;
    const index = this.faults.findIndex((fault) => fault.operation === undefined || fault.operation === operation);
    const fault = index === -1 ? undefined : this.faults[index];
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.splice(index, 1);
      if (fault.afterFiles === undefined || operation !== 'archive') {
        throw new SourceError(
          fault.code,
          `${what}: injected ${fault.code}`,
          fault.code === 'RateLimited' ? (fault.retryAfterMs ?? 60_000) : undefined,
        );
      }
    }
    if (!this.validTokens.has(location.token))
      throw new SourceError('Unauthorized', `${what}: the token is invalid, expired or revoked`);
    const state = this.repositories.get(location.repository);
    // Like GitHub, a repository the token may not read is indistinguishable from a missing one.
    if (!state?.tokens.has(location.token)) throw new SourceError('NotFound', `${what}: repository not found`);
    return fault ? { state, fault } : { state };
  }

  private state(fullName: string): InMemoryRepositoryState {
    const state = this.repositories.get(fullName);
    if (!state) throw new Error(`no repository '${fullName}'; call addRepository first`);
    return state;
  }

  private store(fullName: string, snapshot: Map<string, InMemoryFile>, branch: string): string {
    const state = this.state(fullName);
    const { treeSha } = buildTree(snapshot); // also rejects a path that is both file and folder
    const parent = state.branches.get(branch) ?? '';
    this.commitCounter += 1;
    const sha = createHash('sha1')
      .update(`commit ${treeSha} ${parent} ${fullName} ${this.commitCounter}`)
      .digest('hex');
    state.commits.set(sha, snapshot);
    state.branches.set(branch, sha);
    return sha;
  }
}

class InMemorySourceRepository implements SourceRepository {
  private requests = 0;

  constructor(
    private readonly factory: InMemorySourceRepositoryFactory,
    private readonly location: SourceLocation,
  ) {}

  get requestCount(): number {
    return this.requests;
  }

  async branchHead(branch: string): Promise<string | null> {
    const { state } = this.request('branchHead', `reading branch '${branch}'`);
    const head = state.branches.get(branch);
    if (head !== undefined) return head;
    // The GitHub adapter asks for the repository after a 404 on the ref: mirror the request.
    this.request('branchHead', `reading repository`);
    return null;
  }

  async tree(commitSha: string, subPath?: string): Promise<SourceTree> {
    const what = `reading the tree of ${commitSha.slice(0, 7)}`;
    const { state } = this.request('tree', what);
    const files = state.commits.get(commitSha);
    if (!files) throw new SourceError('NotFound', `${what}: no such commit in ${this.location.repository}`);
    const { entries, treeSha } = buildTree(files);
    const prefix = (subPath ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix === '') return { commitSha, treeSha, entries };
    const where = `${this.location.repository} at ${commitSha.slice(0, 7)}`;
    const folder = entries.find((entry) => entry.path === prefix);
    if (!folder) throw new SourceError('NotFound', `sub-path '${prefix}' does not exist in ${where}`);
    if (folder.type !== 'tree') throw new SourceError('NotFound', `sub-path '${prefix}' is not a folder in ${where}`);
    const start = `${prefix}/`;
    return {
      commitSha,
      treeSha: folder.sha,
      entries: entries
        .filter((entry) => entry.path.startsWith(start))
        .map((entry) => ({ ...entry, path: entry.path.slice(start.length) })),
    };
  }

  async blob(sha: string, size: number): Promise<SourceBytes> {
    const what = `reading blob ${sha.slice(0, 7)}`;
    const { state } = this.request('blob', what);
    for (const files of state.commits.values()) {
      for (const file of files.values()) {
        if (file.mode !== '160000' && gitBlobSha(file.content) === sha) {
          if (file.content.byteLength !== size) {
            return failing(
              new SourceError('Unavailable', `${what}: the blob has ${file.content.byteLength} bytes, not ${size}`),
            );
          }
          return chunksOf(file.content);
        }
      }
    }
    throw new SourceError('NotFound', `${what}: no such blob in ${this.location.repository}`);
  }

  async *archive(commitSha: string, expected: ExpectedBlobs): AsyncGenerator<ArchiveFile> {
    const what = `downloading the archive of ${commitSha.slice(0, 7)}`;
    const { state, fault } = this.request('archive', what);
    const files = state.commits.get(commitSha);
    if (!files) throw new SourceError('NotFound', `${what}: no such commit in ${this.location.repository}`);
    let yielded = 0;
    for (const entry of buildTree(files).entries) {
      const file = files.get(entry.path);
      if (!file || (file.mode !== '100644' && file.mode !== '100755')) continue;
      const sha = expected.get(entry.path);
      if (sha === undefined) continue;
      if (fault && yielded >= (fault.afterFiles ?? 0))
        throw new SourceError(fault.code, `${what}: injected ${fault.code} mid-stream`);
      const bytes = file.archived ?? file.content;
      yield {
        path: entry.path,
        executable: file.mode === '100755',
        size: bytes.byteLength,
        content: checkedArchiveEntry(entry.path, bytes, sha),
      };
      yielded += 1;
    }
    if (fault) throw new SourceError(fault.code, `${what}: injected ${fault.code} mid-stream`);
  }

  private request(operation: SourceOperation, what: string): ReturnType<InMemorySourceRepositoryFactory['request']> {
    this.requests += 1;
    return this.factory.request(this.location, operation, `${what} of ${this.location.repository}`);
  }
}

function fileList(files: InMemoryFiles): [string, InMemoryFileSpec][] {
  if (Array.isArray(files)) return files.map(({ path, ...spec }) => [path, spec]);
  return Object.entries(files as Readonly<Record<string, InMemoryFileSpec>>);
}

function toFile(spec: InMemoryFileSpec): InMemoryFile {
  if (typeof spec === 'string' || spec instanceof Uint8Array) return { content: bytes(spec), mode: '100644' };
  if (spec.symlinkTo !== undefined) return { content: bytes(spec.symlinkTo), mode: '120000' };
  if (spec.submoduleCommit !== undefined) return { content: bytes(spec.submoduleCommit), mode: '160000' };
  const file = {
    content: bytes(spec.content ?? ''),
    mode: spec.executable ? ('100755' as const) : ('100644' as const),
  };
  return spec.archivedAs === undefined ? file : { ...file, archived: bytes(spec.archivedAs) };
}

/** Chunks a stream would carry: copies, so callers cannot change a commit. */
const CHUNK_BYTES = 64 * 1024;

async function* chunksOf(content: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < content.byteLength; offset += CHUNK_BYTES)
    yield content.slice(offset, offset + CHUNK_BYTES);
}

/** Bytes whose first read fails, as a stream that breaks before its first chunk does. */
function failing(error: Error): SourceBytes {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
}

/** As the GitHub adapter does: the bytes pass, then the entry fails if they are not the expected blob. */
async function* checkedArchiveEntry(path: string, content: Uint8Array, sha: string): AsyncGenerator<Uint8Array> {
  yield* chunksOf(content);
  const actual = gitBlobSha(content);
  if (actual !== sha.toLowerCase()) throw new ArchiveMismatch(path, sha, actual);
}

function bytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value.slice();
}

function checkPath(path: string): string {
  const segments = path.split('/');
  if (
    segments.some(
      (segment) =>
        segment === '' || segment === '.' || segment === '..' || segment === '.git' || segment.includes('\0'),
    )
  ) {
    throw new Error(`'${path}' is not a path git can store`);
  }
  return path;
}

/** git's object name for a blob: sha1 of `blob <size>\0` followed by the content. */
function gitBlobSha(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

interface FolderNode {
  readonly children: Map<string, FolderNode | InMemoryFile>;
}

/**
 * The recursive listing GitHub gives for a commit (folders included, git pre-order) and the real
 * git SHA of the root tree, computed the way git does.
 */
function buildTree(files: ReadonlyMap<string, InMemoryFile>): { entries: SourceTreeEntry[]; treeSha: string } {
  const root: FolderNode = { children: new Map() };
  for (const [path, file] of files) {
    const segments = path.split('/');
    let folder = root;
    for (const segment of segments.slice(0, -1)) {
      const next = folder.children.get(segment) ?? { children: new Map() };
      if (!('children' in next)) throw new Error(`'${path}' needs '${segment}' to be a folder, but it is a file`);
      folder.children.set(segment, next);
      folder = next;
    }
    const name = segments[segments.length - 1] ?? '';
    if (folder.children.has(name)) throw new Error(`'${path}' is both a file and a folder`);
    folder.children.set(name, file);
  }
  const entries: SourceTreeEntry[] = [];
  const treeSha = writeFolder(root, '', entries);
  return { entries, treeSha };
}

/** Appends the folder's listing to `out` in pre-order and returns the folder's tree SHA. */
function writeFolder(folder: FolderNode, base: string, out: SourceTreeEntry[]): string {
  const names = [...folder.children.keys()].sort((a, b) =>
    Buffer.compare(
      Buffer.from(gitSortKey(a, folder.children.get(a))),
      Buffer.from(gitSortKey(b, folder.children.get(b))),
    ),
  );
  const parts: Buffer[] = [];
  for (const name of names) {
    const child = folder.children.get(name);
    if (!child) continue;
    const path = base === '' ? name : `${base}/${name}`;
    if ('children' in child) {
      const at = out.length;
      out.push({ path, mode: '040000', type: 'tree', sha: '' });
      const sha = writeFolder(child, path, out);
      out[at] = { path, mode: '040000', type: 'tree', sha };
      parts.push(Buffer.from(`40000 ${name}\0`), Buffer.from(sha, 'hex'));
    } else if (child.mode === '160000') {
      const sha = new TextDecoder().decode(child.content);
      out.push({ path, mode: '160000', type: 'commit', sha });
      parts.push(Buffer.from(`160000 ${name}\0`), Buffer.from(sha, 'hex'));
    } else {
      const sha = gitBlobSha(child.content);
      out.push({ path, mode: child.mode, type: 'blob', sha, size: child.content.byteLength });
      parts.push(Buffer.from(`${child.mode} ${name}\0`), Buffer.from(sha, 'hex'));
    }
  }
  const body = Buffer.concat(parts);
  return createHash('sha1').update(`tree ${body.byteLength}\0`).update(body).digest('hex');
}

/** git orders tree entries by name, comparing a folder as if its name ended in '/'. */
function gitSortKey(name: string, node: FolderNode | InMemoryFile | undefined): string {
  return node !== undefined && 'children' in node ? `${name}/` : name;
}
