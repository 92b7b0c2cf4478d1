import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_MAIN, startServiceProcess, stopServiceProcess } from '../support/serviceProcess';

/** `npm start`'s process with the embedded defaults, quiet, in-memory queue and development identity. */
const envFor = (dataDir: string, port: number): NodeJS.ProcessEnv => ({
  HOST: '127.0.0.1',
  PORT: String(port),
  DATA_DIR: dataDir,
  RECONCILE_ON_START: 'false',
  RECONCILE_INTERVAL_MINUTES: '0',
  LOG_LEVEL: 'info',
});

/** Runs the service until it exits on its own; its exit code and stderr. */
function runToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a second start next to a running service', () => {
  let first: ChildProcess | undefined;

  beforeAll(() => {
    if (!existsSync(SERVICE_MAIN)) throw new Error('dist/ is missing: run npm run build first');
  });
  afterEach(async () => {
    if (first) await stopServiceProcess(first);
    first = undefined;
  });

  it('on the same port: one line saying to set PORT, exit 1, and the first keeps answering', async () => {
    const port = await freePort();
    const running = await startServiceProcess(envFor(await mkdtemp(join(tmpdir(), 'wsync-first-')), port));
    first = running.child;
    const second = await runToExit(envFor(await mkdtemp(join(tmpdir(), 'wsync-second-')), port));
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `workspace-sync: port ${port} on 127.0.0.1 is already in use (is workspace-sync already running?): stop that process, or set PORT to a free port\n`,
    );
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });

  it('on the same DATA_DIR: refuses to open the embedded Azurite a second time, naming the process that has it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wsync-shared-'));
    const running = await startServiceProcess(envFor(dataDir, 0));
    first = running.child;
    const second = await runToExit(envFor(dataDir, 0));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^workspace-sync: the embedded Azurite's folder .* is in use by process ${running.child.pid} .*DATA_DIR.*\\n$`,
      ),
    );
    expect(second.stderr.split('\n')).toHaveLength(2); // one line, no stack
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
    // Once the first has stopped, the folder is free again.
    await stopServiceProcess(running.child);
    first = (await startServiceProcess(envFor(dataDir, 0))).child;
  });
});
