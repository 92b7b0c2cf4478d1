import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, symlink as fsSymlink, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { gitEnv, runGit, spawnGit } from './github-peer/runGit';

export interface RepoFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly executable?: boolean;
}

/** How many file writes writeMany keeps in flight: enough to hide latency, few enough for fd limits. */
const WRITE_CONCURRENCY = 64;

/**
 * A real git repository built with the git CLI, for tests that need genuine trees, blob SHAs,
 * modes, symlinks, submodule entries and rewritten history. Every change goes through the work
 * tree and `commit()` stages everything (`git add -A`), exactly as a developer would.
 */
export class GitRepo {
  private constructor(
    /** Absolute path of the work tree (the `.git` folder is inside it). */
    readonly dir: string,
  ) {}

  /** Creates a repository in `dir` (created if missing) or in a fresh temp folder, on branch `main`. */
  static async create(dir?: string): Promise<GitRepo> {
    const root = dir ? resolve(dir) : await mkdtemp(join(tmpdir(), 'gitrepo-'));
    await mkdir(root, { recursive: true });
    await runGit(root, ['init', '-q', '-b', 'main']);
    const settings: ReadonlyArray<readonly [string, string]> = [
      ['user.name', 'Peer Test'],
      ['user.email', 'peer-test@example.com'],
      ['commit.gpgsign', 'false'],
      ['tag.gpgsign', 'false'],
      // Bulk repositories create >6,700 loose objects; a background auto-gc would repack them
      // while tests read or delete the folder.
      ['gc.auto', '0'],
      ['maintenance.auto', 'false'],
      ['core.autocrlf', 'false'],
      ['core.fileMode', 'true'],
      ['core.symlinks', 'true'],
    ];
    for (const [key, value] of settings) await runGit(root, ['config', key, value]);
    return new GitRepo(root);
  }

  /** Writes a file in the work tree, creating folders; sets the mode to 0755 or 0644. */
  async write(path: string, content: string | Uint8Array, opts: { executable?: boolean } = {}): Promise<void> {
    const target = this.resolveInside(path);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true, recursive: true });
    await writeFile(target, content);
    await chmod(target, opts.executable ? 0o755 : 0o644);
  }

  /**
   * Writes many files, then makes one commit. Returns the commit SHA. Built for 10,000 files: the
   * blobs are also streamed into one pack with `git fast-import`, so `git add -A` only hashes the
   * files and finds every object present instead of writing 10,000 loose objects.
   */
  async writeMany(files: readonly RepoFile[], message = `add ${files.length} files`): Promise<string> {
    const folders = new Set<string>();
    for (const file of files) folders.add(dirname(this.resolveInside(file.path)));
    // Parents first so each mkdir is cheap and none races another.
    for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
    const packer = new BlobPacker(this.dir);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++]!;
        const target = this.resolveInside(file.path);
        await packer.add(file.content);
        await writeNewFile(target, file.content, file.executable ? 0o755 : 0o644);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, files.length) }, worker));
    } finally {
      await packer.finish();
    }
    return this.commit(message);
  }

  /** Removes a file or folder from the work tree. */
  async remove(path: string): Promise<void> {
    await rm(this.resolveInside(path), { recursive: true, force: true });
  }

  /** Renames a file or folder, creating the destination's parent folders. */
  async move(from: string, to: string): Promise<void> {
    const target = this.resolveInside(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.resolveInside(from), target);
  }

  /** Creates a symbolic link at `path` pointing to `target` (stored by git as mode 120000). */
  async symlink(path: string, target: string): Promise<void> {
    const link = this.resolveInside(path);
    await mkdir(dirname(link), { recursive: true });
    await rm(link, { force: true, recursive: true });
    await fsSymlink(target, link);
  }

  /**
   * Adds a submodule entry (gitlink, mode 160000) pointing at `commitSha` without cloning anything.
   * An empty folder stands in for the unpopulated submodule so `git add -A` keeps the entry.
   */
  async addSubmoduleEntry(path: string, commitSha: string): Promise<void> {
    const folder = this.resolveInside(path);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    await runGit(this.dir, ['update-index', '--add', '--cacheinfo', `160000,${commitSha},${this.relativePath(path)}`]);
  }

  /** Stages everything (`git add -A`) and commits, empty commits allowed. Returns the commit SHA. */
  async commit(message: string): Promise<string> {
    await runGit(this.dir, ['add', '-A']);
    await runGit(this.dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', message]);
    return (await runGit(this.dir, ['rev-parse', 'HEAD'])).trim();
  }

  /** Switches to a new branch with no history and an empty work tree; the next commit is a root. */
  async checkoutOrphan(branch: string): Promise<void> {
    await runGit(this.dir, ['checkout', '-q', '--orphan', branch]);
    await runGit(this.dir, ['rm', '-r', '-f', '-q', '--ignore-unmatch', '.']);
    await runGit(this.dir, ['clean', '-f', '-d', '-q']);
  }

  /** Switches the work tree to an existing branch. */
  async checkout(branch: string): Promise<void> {
    await runGit(this.dir, ['checkout', '-q', branch]);
  }

  /**
   * Simulates a force-push: the current branch now points at a new root commit holding the current
   * work tree, unrelated to the previous history (whose objects stay in the database, as on GitHub).
   * Returns the new commit SHA.
   */
  async resetToUnrelatedHistory(message = 'rewrite history'): Promise<string> {
    await runGit(this.dir, ['add', '-A']);
    const tree = (await runGit(this.dir, ['write-tree'])).trim();
    const commit = (await runGit(this.dir, ['commit-tree', tree, '-m', message])).trim();
    await runGit(this.dir, ['reset', '-q', '--soft', commit]);
    return commit;
  }

  /** Creates a branch at `startPoint` (default: the current commit) without switching to it. */
  async createBranch(name: string, startPoint = 'HEAD'): Promise<void> {
    await runGit(this.dir, ['branch', name, startPoint]);
  }

  async deleteBranch(name: string): Promise<void> {
    await runGit(this.dir, ['branch', '-D', '-q', name]);
  }

  /** Commit SHA at the head of `branch`. */
  async head(branch = 'main'): Promise<string> {
    return (await runGit(this.dir, ['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`])).trim();
  }

  /**
   * Extracts the commit's tree into `destDir` with `git archive | tar -x`, so a synced folder can be
   * compared with it byte for byte. Modes are 0644/0755 (tar.umask 022, like a checkout under the
   * usual umask), symlinks stay symlinks, submodules are empty folders.
   */
  async archiveTo(commitSha: string, destDir: string): Promise<void> {
    await mkdir(destDir, { recursive: true });
    const git = spawn('git', ['-C', this.dir, '-c', 'tar.umask=0022', 'archive', '--format=tar', commitSha], {
      env: gitEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tar = spawn('tar', ['-x', '-p', '-f', '-', '-C', destDir], { stdio: ['pipe', 'ignore', 'pipe'] });
    git.stdout.pipe(tar.stdin);
    const exited = (child: typeof git | typeof tar, name: string): Promise<void> =>
      new Promise((resolveExit, rejectExit) => {
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('error', rejectExit);
        child.on('close', (code) =>
          code === 0 ? resolveExit() : rejectExit(new Error(`${name} exited with ${code}: ${stderr.trim()}`)),
        );
      });
    await Promise.all([exited(git, 'git archive'), exited(tar, 'tar -x')]);
  }

  /** Deletes the repository folder. */
  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private resolveInside(path: string): string {
    const target = resolve(this.dir, path);
    const rel = relative(this.dir, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(/[\\/]/)[0] === '.git') {
      throw new Error(`path escapes the work tree or touches .git: ${path}`);
    }
    return target;
  }

  private relativePath(path: string): string {
    return relative(this.dir, this.resolveInside(path)).split('\\').join('/');
  }
}

/**
 * Creates the file with `mode` (git only records the owner's execute bit, which no sane umask
 * strips, so no chmod round trip per file). Whatever was at the path before (file, symlink,
 * folder) is replaced rather than written through.
 */
async function writeNewFile(target: string, content: string | Uint8Array, mode: number): Promise<void> {
  try {
    await writeFile(target, content, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await rm(target, { force: true, recursive: true });
    await writeFile(target, content, { mode, flag: 'wx' });
  }
}

/** Streams blobs into a single pack through `git fast-import` (no refs, no commits). */
class BlobPacker {
  private readonly child: ChildProcessWithoutNullStreams;
  private drained: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(dir: string) {
    this.child = spawnGit(dir, ['fast-import', '--quiet', '--done']);
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolveExit, rejectExit) => {
      this.child.on('error', rejectExit);
      this.child.on('close', (code) =>
        code === 0 ? resolveExit() : rejectExit(new Error(`git fast-import exited with ${code}: ${stderr.trim()}`)),
      );
    });
    // A failure surfaces through finish(); keep an early one from becoming an unhandled rejection.
    this.exited.catch(() => undefined);
  }

  async add(content: string | Uint8Array): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const header = this.child.stdin.write(`blob\ndata ${bytes.byteLength}\n`);
    const body = this.child.stdin.write(bytes);
    const trailer = this.child.stdin.write('\n');
    if (!(header && body && trailer)) {
      // Concurrent writers share one wait, rather than each adding a 'drain' listener.
      this.drained ??= once(this.child.stdin, 'drain').then(() => {
        this.drained = undefined;
      });
      await this.drained;
    }
  }

  async finish(): Promise<void> {
    this.child.stdin.end('done\n');
    await this.exited;
  }
}
