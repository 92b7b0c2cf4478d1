import { startScriptNodeArgs } from '../test/support/serviceProcess';

/**
 * The Node options a measured service process runs with: the ones production runs with (those of
 * `npm start`, which a unit test keeps equal to the image's and the Function App's), then
 * BENCH_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=<folder>` to profile it. Later options win, so
 * BENCH_NODE_ARGS can also override a production flag for an A/B.
 */
export function serviceNodeArgs(): string[] {
  return [...startScriptNodeArgs(), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
}
