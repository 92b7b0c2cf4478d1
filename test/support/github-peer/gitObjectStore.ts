import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { GitObject, GitObjectInfo } from './catFileBatch';
import { CatFileBatch, isBatchObjectName } from './catFileBatch';
import type { GitPerson, ParsedCommit, TreeEntry } from './representations';
import { isoSeconds } from './representations';
import { runGitOrNull, spawnGit } from './runGit';
import type { TreeNodes } from './treeListings';
import { TreeListings } from './treeListings';

const HEX_SHA = /^[0-9a-f]{4,40}$/i;

/**
 * A ref name as `git check-ref-format` would accept it, minus revision syntax, so a path segment
 * from an HTTP request can never turn into `main~3`, `@{-1}` or an option.
 */
export function isSafeRefName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock')
  )
    return false;
  if (name.includes('..') || name.includes('//') || name.includes('@{') || name === '@') return false;
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x20\x7f~^:?*[\\]/.test(name) && !name.split('/').some((part) => part.startsWith('.'));
}

/**
 * Read access to one repository's object database, tuned for serving many requests: one
 * long-lived `git cat-file --batch-command` for objects, tree listings built from tree objects
 * cached by tree SHA (immutable), and ref lookups that always read the current ref (tests move
 * branches).
 */
export class GitObjectStore {
  private readonly batch: CatFileBatch;
  private readonly listings: TreeListings;
  private readonly archives = new Set<ChildProcessWithoutNullStreams>();

  constructor(readonly dir: string) {
    this.batch = new CatFileBatch(dir);
    this.listings = new TreeListings(dir, this.batch);
  }

  /** Commit SHA at `refs/heads/<branch>`, or null. */
  async branchHead(branch: string): Promise<string | null> {
    if (!isSafeRefName(branch)) return null;
    return this.revParse(`refs/heads/${branch}^{commit}`);
  }

  /** The object a full ref (`refs/heads/x`, `refs/tags/v1`) points at, unpeeled, or null. */
  async ref(fullRef: string): Promise<GitObjectInfo | null> {
    if (!isSafeRefName(fullRef) || !fullRef.startsWith('refs/')) return null;
    const sha = await this.revParse(fullRef);
    return sha ? this.batch.info(sha) : null;
  }

  /** Resolves a branch, a tag or a (possibly abbreviated) SHA to a commit SHA, as GitHub's `{ref}`. */
  async commitish(ref: string): Promise<string | null> {
    return this.peel(ref, 'commit');
  }

  /** Resolves a tree SHA, commit SHA, branch or tag to the tree SHA, as `git/trees/{tree_sha}` does. */
  async treeish(ref: string): Promise<string | null> {
    return this.peel(ref, 'tree');
  }

  async commit(sha: string): Promise<ParsedCommit | null> {
    const object = await this.batch.contents(sha);
    if (object?.type !== 'commit') return null;
    return parseCommit(object);
  }

  /** Blob bytes, or null when `sha` is not a blob. */
  async blob(sha: string): Promise<GitObject | null> {
    if (!HEX_SHA.test(sha)) return null;
    const object = await this.batch.contents(sha);
    return object && object.type === 'blob' ? object : null;
  }

  /** Entries of a tree, all the way down when `recursive` (trees listed before their contents). */
  tree(treeSha: string, recursive: boolean): Promise<readonly TreeEntry[]> {
    return this.listings.list(treeSha, recursive);
  }

  /** The tree objects behind tree(), by SHA, for callers that render listings themselves. */
  treeNodes(treeSha: string, recursive: boolean): Promise<TreeNodes> {
    return this.listings.nodes(treeSha, recursive);
  }

  /**
   * A gzip tarball of the commit with every path under `prefix`, as codeload serves it. The
   * caller must consume or destroy stdout; close() kills whatever is still running.
   */
  archive(commitSha: string, prefix: string): ChildProcessWithoutNullStreams {
    // Level 1: the bytes a client sees are the same archive; speed matters more than size here.
    const child = spawnGit(this.dir, ['archive', '--format=tar.gz', '-1', `--prefix=${prefix}`, commitSha]);
    this.archives.add(child);
    child.on('close', () => this.archives.delete(child));
    return child;
  }

  close(): void {
    this.batch.close();
    for (const child of this.archives) child.kill();
    this.archives.clear();
  }

  private async peel(ref: string, type: 'commit' | 'tree'): Promise<string | null> {
    if (!isSafeRefName(ref)) return null;
    const byObject = async (): Promise<string | null> =>
      HEX_SHA.test(ref) ? ((await this.batch.info(`${ref.toLowerCase()}^{${type}}`))?.sha ?? null) : null;
    // A full SHA is the hot path (trees and commits by SHA): one pipe round trip, no process.
    if (ref.length === 40) {
      const sha = await byObject();
      if (sha) return sha;
    }
    // Branch and tag names win over SHA prefixes, as they do on GitHub.
    for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = await this.revParse(`${candidate}^{${type}}`);
      if (sha) return sha;
    }
    return ref.length === 40 ? null : byObject();
  }

  /**
   * The object a name such as `refs/heads/main^{commit}` resolves to. cat-file resolves refs as
   * rev-parse does and reads them afresh on every lookup (loose ref files, stat-checked
   * packed-refs), so branches moved by tests are seen at once, without a process per request.
   */
  private async revParse(name: string): Promise<string | null> {
    if (isBatchObjectName(name)) return (await this.batch.info(name))?.sha ?? null;
    const out = await runGitOrNull(this.dir, ['rev-parse', '--verify', '-q', name]);
    return out ? out.trim() : null;
  }
}

function parseCommit(object: GitObject): ParsedCommit {
  const text = object.content.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = (split < 0 ? text : text.slice(0, split)).split('\n');
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: GitPerson | null = null;
  let committer: GitPerson | null = null;
  for (const line of headers) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parsePerson(value);
    else if (key === 'committer') committer = parsePerson(value);
  }
  const unknown: GitPerson = { name: '', email: '', date: isoSeconds(new Date(0)) };
  // GitHub returns the message without git's trailing newline.
  return {
    sha: object.sha,
    tree,
    parents,
    author: author ?? unknown,
    committer: committer ?? unknown,
    message: message.replace(/\n$/, ''),
  };
}

/** `Name <email> 1700000000 +0100` -> name, email and the UTC instant. */
function parsePerson(value: string): GitPerson {
  const match = /^(.*) <([^>]*)> (\d+) [+-]\d{4}$/.exec(value);
  if (!match) return { name: value, email: '', date: isoSeconds(new Date(0)) };
  return { name: match[1]!, email: match[2]!, date: isoSeconds(new Date(Number(match[3]) * 1000)) };
}
