import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';

/**
 * Environment for every git child: ignore the machine's global/system config so a developer's
 * hooks, signing or aliases can never change what the tests see.
 */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  // zlib allocates and frees ~256 KB per object; with glibc's defaults every object then costs
  // brk() calls that dominate bulk `git add` and cat-file on slow VMs. Keep freed memory around.
  MALLOC_TRIM_THRESHOLD_: '268435456',
  MALLOC_TOP_PAD_: '67108864',
};

/** Big enough for a 10,000-entry recursive ls-tree or a large blob. */
const MAX_BUFFER = 512 * 1024 * 1024;

class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

let started = 0;

/**
 * git processes started by this module so far. The peer's performance tests count processes per
 * request instead of timing requests: a count does not move with the machine's load.
 */
export function gitProcessesStarted(): number {
  return started;
}

/** Runs `git -C cwd ...args` without a shell and resolves with stdout as a Buffer. */
export function runGitBuffer(cwd: string, args: readonly string[], input?: string | Uint8Array): Promise<Buffer> {
  started += 1;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', cwd, ...args],
      { env: gitEnv, encoding: 'buffer', maxBuffer: MAX_BUFFER },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new GitCommandError(args, code, stderr.toString('utf8')));
        } else {
          resolve(stdout);
        }
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Same as runGitBuffer, decoded as UTF-8. */
export async function runGit(cwd: string, args: readonly string[], input?: string | Uint8Array): Promise<string> {
  return (await runGitBuffer(cwd, args, input)).toString('utf8');
}

/**
 * Like runGit, but an exit code of 1 (git's "not found" for `rev-parse --verify -q` and friends)
 * resolves to null instead of throwing.
 */
export async function runGitOrNull(cwd: string, args: readonly string[]): Promise<string | null> {
  try {
    return await runGit(cwd, args);
  } catch (error) {
    if (error instanceof GitCommandError && (error.exitCode === 1 || error.exitCode === 128)) return null;
    throw error;
  }
}

/** Starts a long-lived or streaming git child; the caller owns its lifetime. */
export function spawnGit(cwd: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  started += 1;
  return spawn('git', ['-C', cwd, ...args], { env: gitEnv, stdio: ['pipe', 'pipe', 'pipe'] });
}
