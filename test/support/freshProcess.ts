import { spawn } from 'node:child_process';

/**
 * Runs `script` in a new Node process (modules are loaded once per process, so what a fresh
 * process loads can only be seen there) and parses what it writes to stdout as JSON; a non-zero
 * exit fails with its stderr.
 */
export async function jsonFromFreshProcess<T>(script: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<T> {
  const child = spawn(process.execPath, ['-e', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
  if (code !== 0) throw new Error(`exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as T;
}
