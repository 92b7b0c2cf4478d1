import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnGit } from './runGit';

type GitObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface GitObjectInfo {
  readonly sha: string;
  readonly type: GitObjectType;
  readonly size: number;
}

export interface GitObject extends GitObjectInfo {
  readonly content: Buffer;
}

interface PendingCommand {
  readonly withContent: boolean;
  resolve(value: GitObject | GitObjectInfo | null): void;
  reject(error: Error): void;
}

/** Object names we pass to git: hex SHAs and `<sha>^{tree}`-style peels, never whitespace. */
const SAFE_NAME = /^[0-9A-Za-z._/^{}~-]+$/;

/** Whether CatFileBatch will ask git about `name` (others answer null without asking). */
export function isBatchObjectName(name: string): boolean {
  return SAFE_NAME.test(name);
}

/**
 * One long-lived `git cat-file --batch-command --buffer` process: object lookups cost a pipe
 * round trip (well under a millisecond) instead of a process start. Commands are answered in
 * order, so a FIFO of pending promises is matched against a streaming parser of git's output.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly pending: PendingCommand[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Header parsed for the command at the head of the queue, while its content streams in. */
  private current: { info: GitObjectInfo; body: Buffer; filled: number } | null = null;
  private closed = false;

  constructor(private readonly repoDir: string) {}

  /** Type and size of an object (any name cat-file accepts), or null when it does not exist. */
  info(name: string): Promise<GitObjectInfo | null> {
    return this.send(`info ${name}`, false) as Promise<GitObjectInfo | null>;
  }

  /** Type, size and bytes of an object, or null when it does not exist. */
  contents(name: string): Promise<GitObject | null> {
    return this.send(`contents ${name}`, true) as Promise<GitObject | null>;
  }

  /**
   * Type and size of many objects in one round trip: every `info` line goes out in one write
   * followed by a single flush, so git answers them all in one buffered burst.
   */
  infoMany(names: readonly string[]): Promise<Array<GitObjectInfo | null>> {
    return this.sendMany('info', names, false) as Promise<Array<GitObjectInfo | null>>;
  }

  /** Type, size and bytes of many objects in one round trip (see infoMany). */
  contentsMany(names: readonly string[]): Promise<Array<GitObject | null>> {
    return this.sendMany('contents', names, true) as Promise<Array<GitObject | null>>;
  }

  close(): void {
    this.closed = true;
    this.stopChild(new Error('cat-file closed'));
  }

  private send(command: string, withContent: boolean): Promise<GitObject | GitObjectInfo | null> {
    const name = command.slice(command.indexOf(' ') + 1);
    if (!SAFE_NAME.test(name)) return Promise.resolve(null);
    if (this.closed) return Promise.reject(new Error('cat-file closed'));
    const child = this.ensureChild();
    return new Promise((resolve, reject) => {
      this.pending.push({ withContent, resolve, reject });
      child.stdin.write(`${command}\nflush\n`);
    });
  }

  private sendMany(
    verb: 'info' | 'contents',
    names: readonly string[],
    withContent: boolean,
  ): Promise<Array<GitObject | GitObjectInfo | null>> {
    const results = new Array<GitObject | GitObjectInfo | null>(names.length).fill(null);
    const slots = names.flatMap((name, index) => (SAFE_NAME.test(name) ? [index] : []));
    if (slots.length === 0) return Promise.resolve(results);
    if (this.closed) return Promise.reject(new Error('cat-file closed'));
    const child = this.ensureChild();
    return new Promise((resolve, reject) => {
      let answered = 0;
      let failed = false;
      for (const slot of slots) {
        this.pending.push({
          withContent,
          resolve: (value) => {
            results[slot] = value;
            if (++answered === slots.length) resolve(results);
          },
          reject: (error) => {
            if (!failed) reject(error);
            failed = true;
          },
        });
      }
      child.stdin.write(`${slots.map((slot) => `${verb} ${names[slot]}\n`).join('')}flush\n`);
    });
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    // --buffer: git holds its answers until `flush`, so a batch of commands costs one write
    // on each side instead of one per object.
    const child = spawnGit(this.repoDir, ['cat-file', '--batch-command', '--buffer']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stdin.on('error', () => undefined); // reported through 'close' below
    child.on('error', (error) => this.stopChild(error));
    child.on('close', (code) => {
      if (this.child === child) this.stopChild(new Error(`git cat-file exited with ${code}: ${stderr.trim()}`));
    });
    this.child = child;
    return child;
  }

  /** Fails everything in flight; the next command starts a fresh process. */
  private stopChild(error: Error): void {
    const child = this.child;
    this.child = null;
    this.chunks = [];
    this.buffered = 0;
    this.current = null;
    for (const command of this.pending.splice(0)) command.reject(error);
    if (child && child.exitCode === null) {
      child.stdin.end();
      child.kill();
    }
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.current) {
        if (!this.fillCurrent()) return;
        continue;
      }
      const header = this.takeLine();
      if (header === null) return;
      const command = this.pending[0];
      if (!command) {
        this.stopChild(new Error(`unexpected cat-file output: ${header}`));
        return;
      }
      const [sha, type, size] = header.split(' ');
      if (type === 'missing' || type === 'ambiguous' || size === undefined) {
        this.pending.shift();
        command.resolve(null);
        continue;
      }
      const info: GitObjectInfo = { sha: sha!, type: type as GitObjectType, size: Number(size) };
      if (!command.withContent) {
        this.pending.shift();
        command.resolve(info);
        continue;
      }
      // Content is followed by a newline, which we read into the buffer's spare last byte.
      this.current = { info, body: Buffer.allocUnsafe(info.size + 1), filled: 0 };
    }
  }

  /** Copies buffered bytes into the current object; true once it is complete (and resolved). */
  private fillCurrent(): boolean {
    const current = this.current!;
    while (current.filled < current.body.length && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, current.body.length - current.filled);
      head.copy(current.body, current.filled, 0, take);
      current.filled += take;
      this.buffered -= take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    if (current.filled < current.body.length) return false;
    this.current = null;
    const command = this.pending.shift()!;
    command.resolve({ ...current.info, content: current.body.subarray(0, current.info.size) });
    return true;
  }

  private takeLine(): string | null {
    if (this.buffered === 0) return null;
    let joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const end = joined.indexOf(0x0a);
    if (end < 0) {
      this.chunks = [joined];
      return null;
    }
    const line = joined.toString('utf8', 0, end);
    joined = joined.subarray(end + 1);
    this.chunks = joined.length > 0 ? [joined] : [];
    this.buffered = joined.length;
    return line;
  }
}
