/**
 * A measured command, pinned with `taskset` to the CPUs BENCH_CPUS lists (e.g. `1`) when it is set:
 * the production plan (EP1) gives a Function App instance one vCPU, where a sync's threads share
 * one core and only its total CPU counts. The peers (GitHub, Azurite) stay unpinned, as they run
 * elsewhere in production. Sync, incremental, node-flags and zip measure both sides pinned.
 */
export function pinnedCommand(command: string, args: readonly string[]): [string, string[]] {
  const cpus = process.env.BENCH_CPUS;
  return cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, [...args]];
}

/** How the figures that follow were pinned, for a benchmark's heading. */
export function pinnedNote(): string {
  const cpus = process.env.BENCH_CPUS;
  return cpus ? ` (measured processes pinned to CPU ${cpus})` : '';
}
