import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE_MAIN } from '../test/support/serviceProcess';
import { serviceNodeArgs } from './serviceNodeArgs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const SECRET = randomBytes(32).toString('hex');
const DIST = resolve(SERVICE_MAIN, '../../..');

interface ColdStart {
  /** Process start to the "listening" log line. */
  readonly listeningMs: number;
  /** Process start to the first webhook answered 2xx. */
  readonly answeredMs: number;
}

/**
 * `npm start` on its embedded defaults (embedded Azurite under a fresh DATA_DIR, file secret store,
 * in-process queue and worker), with one connection declared in CONNECTIONS and its webhook secret
 * in the secrets file. Timed from spawn to the first signed push answered 2xx, fired as soon as the
 * service says it listens. GitHub is an unreachable loopback port and the start-up reconcile is off:
 * the benchmark measures the start, not a sync.
 */
async function coldStartOnce(): Promise<ColdStart> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wsync-cold-'));
  await mkdir(dataDir, { recursive: true });
  await writeFile(
    join(dataDir, 'secrets.json'),
    JSON.stringify({ 'webhook-secret-global': SECRET, 'github-token-global': 'unused' }),
    { mode: 0o600 },
  );
  const env = {
    PATH: process.env.PATH,
    TMPDIR: process.env.TMPDIR,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RECONCILE_ON_START: 'false',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    CONNECTIONS: JSON.stringify([
      {
        scope: 'GLOBAL',
        repository: 'bench/scripts',
        branch: 'main',
        tokenRef: 'github-token-global',
        webhookSecretRef: 'webhook-secret-global',
      },
    ]),
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...serviceNodeArgs(), SERVICE_MAIN], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening within 60 s; stderr: ${stderr}`)), 60_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /listening on (http:\/\/[^\s"]+)\/api/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}; stderr: ${stderr}`)));
    });
    const listeningMs = performance.now() - started;
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      deleted: false,
      repository: { full_name: 'bench/scripts' },
    });
    const answer = await fetch(`${url}/api/github/webhook/GLOBAL`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `cold-${randomBytes(4).toString('hex')}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
    await answer.arrayBuffer();
    const answeredMs = performance.now() - started;
    if (answer.status < 200 || answer.status > 299) throw new Error(`the first webhook was answered ${answer.status}`);
    return { listeningMs, answeredMs };
  } finally {
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    if (child.exitCode === null) child.kill(process.env.BENCH_NODE_ARGS ? 'SIGTERM' : 'SIGKILL'); // a profile is written at a clean exit
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Wall time of `node <args>` to its exit, in ms. */
async function timeNode(args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: resolve(DIST, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
  return { ms: performance.now() - started, stdout };
}

/** Time to require a module in a fresh process, measured inside it (so Node's own start is left out). */
async function moduleLoadMs(modulePath: string): Promise<number> {
  const script = `require('reflect-metadata');const t=performance.now();require(${JSON.stringify(modulePath)});process.stdout.write(String(performance.now()-t))`;
  return Number((await timeNode(['-e', script])).stdout);
}

/** The embedded Azurite alone in a fresh process: loading it and starting its Table service in memory. */
async function azuriteStartMs(): Promise<number> {
  const script =
    `const t=performance.now();const {EmbeddedAzurite}=require(${JSON.stringify(join(DIST, 'src/adapters/azure-tables/EmbeddedAzurite.js'))});` +
    `EmbeddedAzurite.start().then(async(a)=>{const ms=performance.now()-t;await a.stop();process.stdout.write(String(ms));})`;
  return Number((await timeNode(['-e', script])).stdout);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Issue #10's cold start: process start to the first webhook answered, beside a bare `node -e 0`. */
export async function coldStartBench(): Promise<void> {
  const bare: number[] = [];
  const functionsLoad: number[] = [];
  const hostLoad: number[] = [];
  const azurite: number[] = [];
  const ours: ColdStart[] = [];
  // Interleaved, so that a change in the machine's load touches every figure alike.
  for (let run = 0; run < RUNS; run += 1) {
    bare.push((await timeNode(['-e', '0'])).ms);
    functionsLoad.push(await moduleLoadMs(join(DIST, 'src/functions/index.js')));
    hostLoad.push(await moduleLoadMs(join(DIST, 'src/host/localHost.js')));
    azurite.push(await azuriteStartMs());
    ours.push(await coldStartOnce());
  }
  const answered = median(ours.map((run) => run.answeredMs));
  const reference = median(bare);
  console.log(`\ncold start benchmark (medians of ${RUNS} runs; embedded defaults, fresh DATA_DIR each run)`);
  console.log(`  node -e 0 (reference)                     ${ms(reference)}`);
  console.log(`  require functions/index.js (entry points) ${ms(median(functionsLoad))}`);
  console.log(`  require host/localHost.js (npm start)     ${ms(median(hostLoad))}`);
  console.log(`  embedded Azurite alone: load + start      ${ms(median(azurite))}`);
  console.log(`  start to "listening" (ours)               ${ms(median(ours.map((run) => run.listeningMs)))}`);
  console.log(
    `  start to first webhook answered (ours)    ${ms(answered)}  = ${(answered / reference).toFixed(1)}x node -e 0`,
  );
  console.log(`  all runs, first answer: ${ours.map((run) => ms(run.answeredMs)).join(', ')}`);
  console.log(`  target: under 1 s`);
}
