import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceProcess, stopServiceProcess } from '../test/support/serviceProcess';
import { serviceNodeArgs } from './serviceNodeArgs';
import { median } from './syncBench';
import { type BenchPeer, type PeerLayout, startPeer } from './webhookPeers';

const DELIVERIES = Number(process.env.BENCH_WEBHOOKS ?? 5_000);
const CONCURRENCY = 32;
const SECRET = randomBytes(32).toString('hex');

interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
  /**
   * The p99 without the first CONCURRENCY deliveries, one per connection: those meet a process
   * that has just started (its code not yet compiled, its first store and queue round trips).
   */
  p99AfterFirst: number;
  max: number;
  perSecond: number;
  errors: number;
  statuses: Record<number, number>;
  /**
   * CPU per delivery in ms (user + system) of each party: the service and a peer in a process of its
   * own where the OS tells (Linux /proc); the load generator (with the peers, when they share it).
   */
  cpu?: Record<string, number>;
}

/** User + system CPU of a process in ms, from /proc on Linux; undefined elsewhere. */
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** A signed push delivery as GitHub would post it. */
interface Delivery {
  readonly body: string;
  readonly headers: Record<string, string | number>;
}

/**
 * Every delivery of a run, signed before the clock starts: GitHub builds and signs its deliveries
 * on its own machines, so this load generator should not take CPU from the service for that while
 * it measures (a CPU profile of it showed `randomBytes` alone at ~20 µs per delivery).
 */
function signedDeliveries(): Delivery[] {
  const run = randomBytes(6).toString('hex');
  return Array.from({ length: DELIVERIES }, (_, i) => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: i.toString(16).padStart(40, 'a'),
      deleted: false,
      repository: { full_name: 'bench/scripts' },
    });
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-github-event': 'push',
      'x-github-delivery': `bench-${run}-${i}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    };
    return { body, headers };
  });
}

/** Fires `DELIVERIES` signed push webhooks, `CONCURRENCY` at a time, and measures each answer. */
async function fire(baseUrl: string): Promise<LatencyFigures> {
  const deliveries = signedDeliveries();
  const url = `${baseUrl}/api/github/webhook/GLOBAL`;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // By delivery, in the order they were sent.
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < DELIVERIES) {
      const index = next++;
      const { body, headers } = deliveries[index]!;
      const t0 = performance.now();
      try {
        const status = await post(agent, url, body, headers);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 202) errors++;
      } catch {
        errors++;
      }
      latencies[index] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const afterFirst = latencies.slice(CONCURRENCY).sort((a, b) => a - b);
  const at = (values: number[], q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  return {
    p50: at(sorted, 0.5),
    p95: at(sorted, 0.95),
    p99: at(sorted, 0.99),
    p99AfterFirst: at(afterFirst, 0.99),
    max: sorted.at(-1)!,
    perSecond: DELIVERIES / seconds,
    errors,
    statuses,
  };
}

function post(agent: Agent, url: string, body: string, headers: Delivery['headers']): Promise<number> {
  return new Promise((resolvePost, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolvePost(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A bare node:http server answering 202 to the same requests: the floor for our figures. */
async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"message":"sync queued"}');
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function row(name: string, f: LatencyFigures): string {
  const cpu = Object.entries(f.cpu ?? {})
    .map(([party, ms]) => `${party} ${ms.toFixed(2)}`)
    .join(', ');
  return `  ${name.padEnd(42)} p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${f.p99AfterFirst.toFixed(1)} after the first ${CONCURRENCY}), max ${f.max.toFixed(0)} ms, ${f.perSecond.toFixed(0)}/s, errors ${f.errors} ${JSON.stringify(f.statuses)}${cpu === '' ? '' : `; CPU ms/delivery: ${cpu}`}`;
}

/** User + system CPU of this process in ms. */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const LAYOUT_LABEL: Record<PeerLayout, string> = {
  separate: 'peers in processes of their own',
  shared: "peers on the load generator's event loop (as before 2026-12-05)",
};

/**
 * Issue #3's benchmark: webhook acknowledgement latency and throughput, in-process queue vs Service Bus.
 * GitHub, Azure Tables and Service Bus are other machines in production; here the load generator is
 * this process and, in the `separate` layout, Azurite and the Service Bus peer run in processes of
 * their own. The `shared` layout (both peers on this process's event loop) is kept for comparison
 * with earlier figures. BENCH_WEBHOOK_LAYOUTS picks layouts (default `separate,shared`); BENCH_RUNS
 * rounds (default 3) run everything again, and the p99 of each setup is reported as their median:
 * one run's p99 is the 50 slowest of 5,000 answers, and moves with whatever else the machine runs.
 */
export async function webhookBench(): Promise<void> {
  const layouts = (process.env.BENCH_WEBHOOK_LAYOUTS ?? 'separate,shared')
    .split(',')
    .filter((name): name is PeerLayout => name === 'separate' || name === 'shared');
  const rounds = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const loadBefore = loadavg();
  const bySetup = new Map<string, LatencyFigures[]>();
  let errors = 0;
  const noted = (setup: string, figures: LatencyFigures): LatencyFigures => {
    bySetup.set(setup, [...(bySetup.get(setup) ?? []), figures]);
    errors += figures.errors;
    return figures;
  };
  console.log(`\nwebhook benchmark (${DELIVERIES} signed deliveries, ${CONCURRENCY} concurrent, ${rounds} round(s))`);
  for (let round = 1; round <= rounds; round++) {
    const bare = await bareServer();
    const reference = noted('bare node:http (reference)', await fire(bare.url));
    await bare.close();
    console.log(`  round ${round}`);
    console.log(row('bare node:http 202 (reference)', reference));
    for (const layout of layouts) {
      const result = await benchLayout(layout);
      console.log(`  ${LAYOUT_LABEL[layout]}:`);
      for (const [queue, bursts] of [
        ['in-process queue', result.viaMemory],
        ['Service Bus test peer', result.viaBus],
      ] as const) {
        console.log(row(`webhook -> ${queue} (ours)`, noted(`${layout}, ${queue}, fresh`, bursts.fresh)));
        console.log(row('  again, the same process warm', noted(`${layout}, ${queue}, warm`, bursts.warm)));
      }
      console.log(
        `    messages on the Service Bus peer afterwards: ${result.queued} active (target ${2 * DELIVERIES})`,
      );
    }
  }
  console.log(`  p99, median of ${rounds} round(s) (target < 50 ms with zero errors; ${errors} errors in all):`);
  for (const [setup, runs] of bySetup) {
    const summary = (values: number[]) =>
      `${median(values).toFixed(1)} ms (${values.map((value) => value.toFixed(1)).join(' / ')})`;
    const afterFirst = summary(runs.map((run) => run.p99AfterFirst));
    console.log(
      `    ${setup.padEnd(40)} ${summary(runs.map((run) => run.p99))}; after the first ${CONCURRENCY}: ${afterFirst}`,
    );
  }
  const show = (load: number[]) => load.map((value) => value.toFixed(2)).join(' ');
  console.log(`  load average ${show(loadBefore)} before, ${show(loadavg())} after`);
}

/**
 * One setup's two bursts: the first into a process that has just started (its code still
 * interpreted and compiled as it runs, its modules and clients loaded on first use), then the same
 * again into that process, now warm, as a long-running instance takes a burst of pushes.
 */
interface Bursts {
  readonly fresh: LatencyFigures;
  readonly warm: LatencyFigures;
}

async function benchLayout(layout: PeerLayout): Promise<{ viaMemory: Bursts; viaBus: Bursts; queued: number }> {
  const work = await mkdtemp(join(tmpdir(), 'wsync-webhook-bench-'));
  const azurite = await startPeer('azurite', layout);
  const serviceBus = await startPeer('service-bus', layout, {
    'workspace-sync': { duplicateDetectionWindowMs: 600_000 },
  });
  const base: NodeJS.ProcessEnv = {
    PORT: '0',
    DATA_DIR: join(work, 'data'),
    TABLES_CONNECTION_STRING: azurite.connectionString,
    SECRET_STORE: 'env',
    WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: 'unused',
    // info, as in production (one line per webhook), and the start-up line we wait for.
    LOG_LEVEL: 'info',
    WORKER_ENABLED: 'false',
    RECONCILE_ON_START: 'false',
    CONNECTIONS: JSON.stringify([
      {
        scope: 'GLOBAL',
        repository: 'bench/scripts',
        branch: 'main',
        tokenRef: 'GITHUB_TOKEN',
        webhookSecretRef: 'WEBHOOK_SECRET',
      },
    ]),
  };
  try {
    const measure = async (env: NodeJS.ProcessEnv, peers: Record<string, BenchPeer>): Promise<Bursts> => {
      const service = await startServiceProcess({ ...base, ...env }, serviceNodeArgs());
      // Parties in a process of their own, read from /proc; this process (the load generator, and
      // the peers when they share it) from process.cpuUsage().
      const parties: [string, number | undefined][] = [
        ['service', service.child.pid],
        ...Object.entries(peers).map(([name, peer]): [string, number | undefined] => [name, peer.pid]),
      ];
      const burst = async (): Promise<LatencyFigures> => {
        const before = await Promise.all(parties.map(([, pid]) => processCpuMs(pid)));
        const clientBefore = ownCpuMs();
        const figures = await fire(service.url);
        const cpu: Record<string, number> = {};
        const after = await Promise.all(parties.map(([, pid]) => processCpuMs(pid)));
        for (const [index, [name]] of parties.entries()) {
          const start = before[index];
          const end = after[index];
          if (start !== undefined && end !== undefined) cpu[name] = (end - start) / DELIVERIES;
        }
        cpu[layout === 'shared' ? 'client+peers' : 'client'] = (ownCpuMs() - clientBefore) / DELIVERIES;
        return { ...figures, cpu };
      };
      try {
        const fresh = await burst();
        return { fresh, warm: await burst() };
      } finally {
        await stopServiceProcess(service.child);
      }
    };
    const viaMemory = await measure({ TABLES_PREFIX: 'benchA', COMMAND_QUEUE: 'in-process' }, { azurite });
    const viaBus = await measure(
      { TABLES_PREFIX: 'benchB', COMMAND_QUEUE: 'service-bus', ServiceBusConnection: serviceBus.connectionString },
      { azurite, 'service-bus': serviceBus },
    );
    return { viaMemory, viaBus, queued: (await serviceBus.stats('workspace-sync')).active };
  } finally {
    await serviceBus.stop();
    await azurite.stop();
    await rm(work, { recursive: true, force: true });
  }
}
