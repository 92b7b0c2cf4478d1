import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '../..');

/**
 * What `npm start` runs, built by `npm run build` (which `npm test` and `npm run bench` do first).
 * Compiled, this file sits in dist/test/support; run from source by vitest, in test/support.
 */
export const SERVICE_MAIN =
  basename(root) === 'dist' ? resolve(root, 'src/host/main.js') : resolve(root, 'dist/src/host/main.js');

/** The Node options `npm start` puts before the service's entry point (the production ones). */
export function startScriptNodeArgs(): string[] {
  const projectRoot = basename(root) === 'dist' ? resolve(root, '..') : root;
  const { scripts } = JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const flags = /(?:^|&&\s*)node\s+((?:--\S+\s+)*)dist\/src\/host\/main\.js\b/.exec(scripts?.start ?? '')?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Base URL, without `/api`. */
  readonly url: string;
}

/**
 * Starts the service as its own process (`node …/main.js`) with exactly `env` (plus PATH, TMPDIR and
 * any node flags) and resolves its URL from the start-up log line, which needs LOG_LEVEL info or lower.
 */
export async function startServiceProcess(
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeArgs, SERVICE_MAIN], {
    env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s; stderr: ${stderr}`)), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /listening on (http:\/\/[^\s"]+)\/api/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`)));
    });
    return { child, url };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Sends `signal` and resolves with the exit code once the process is gone. */
export async function stopServiceProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.kill(signal);
  return exited;
}
