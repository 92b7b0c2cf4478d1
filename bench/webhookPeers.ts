import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { EmbeddedAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { type PeerQueueOptions, type QueueStats, ServiceBusPeer } from '../test/support/serviceBusPeer';

export type PeerKind = 'azurite' | 'service-bus';
export type ToPeerProcess = { kind: 'stats'; queue: string } | { kind: 'stop' };
export type FromPeerProcess = { kind: 'ready'; connectionString: string } | { kind: 'stats'; stats: QueueStats };

/**
 * Where the benchmark's reference peers run. `shared`: in the benchmark's own process, on the event
 * loop that also generates the load (how the benchmark ran until 2026-12-05). `separate`: each in a
 * process of its own, as Azure Tables and Service Bus are other machines in production.
 */
export type PeerLayout = 'shared' | 'separate';

export interface BenchPeer {
  readonly connectionString: string;
  /** The peer's own process; undefined when it shares the benchmark's. */
  readonly pid: number | undefined;
  stats(queue: string): Promise<QueueStats>;
  stop(): Promise<void>;
}

export async function startPeer(
  kind: PeerKind,
  layout: PeerLayout,
  queues: Record<string, PeerQueueOptions> = {},
): Promise<BenchPeer> {
  if (layout === 'separate') return startPeerProcess(kind, queues);
  if (kind === 'azurite') {
    const azurite = await EmbeddedAzurite.start({});
    return {
      connectionString: azurite.connectionString,
      pid: undefined,
      stats: () => Promise.reject(new Error('Azurite keeps no queues')),
      stop: () => azurite.stop(),
    };
  }
  const serviceBus = await ServiceBusPeer.start({ queues });
  return {
    connectionString: serviceBus.connectionString,
    pid: undefined,
    stats: async (queue) => serviceBus.stats(queue),
    stop: () => serviceBus.stop(),
  };
}

async function startPeerProcess(kind: PeerKind, queues: Record<string, PeerQueueOptions>): Promise<BenchPeer> {
  const child = fork(resolve(__dirname, 'webhookPeerOnce.js'), [kind, JSON.stringify(queues)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child);
  if (ready.kind !== 'ready') throw new Error(`the ${kind} peer process answered '${ready.kind}' at start`);
  return {
    connectionString: ready.connectionString,
    pid: child.pid,
    async stats(queue) {
      child.send({ kind: 'stats', queue } satisfies ToPeerProcess);
      const answer = await nextMessage(child);
      if (answer.kind !== 'stats') throw new Error(`the ${kind} peer process answered '${answer.kind}'`);
      return answer.stats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ kind: 'stop' } satisfies ToPeerProcess);
      await exited;
    },
  };
}

async function nextMessage(child: ChildProcess): Promise<FromPeerProcess> {
  const abort = new AbortController();
  try {
    return await Promise.race([
      once(child, 'message', { signal: abort.signal }).then(([message]) => message as FromPeerProcess),
      once(child, 'exit', { signal: abort.signal }).then(([code]) => {
        throw new Error(`a benchmark peer process exited (code ${code}) before answering`);
      }),
    ]);
  } finally {
    abort.abort(); // stop listening for the race's loser
  }
}
