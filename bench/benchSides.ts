import { resolve } from 'node:path';
import { runSync } from './syncBench';

type RunSync = typeof runSync;

/** One side of an A/B: a build (this one, or another's `dist`) and the Node options added to the production ones. */
export interface Side {
  readonly name: string;
  readonly runSync: RunSync;
  readonly nodeArgs: readonly string[];
}

/** This build with the Node options `options` (space-separated; '' = the production ones alone). */
export function thisBuild(name: string, options: string): Side {
  return { name, runSync, nodeArgs: options.split(' ').filter(Boolean) };
}

/**
 * With BENCH_COMPARE_DIST, another build's `dist` (an earlier commit, checked out and built
 * elsewhere) as a side of its own, with the production options of that build.
 */
export function otherBuild(): Side | undefined {
  const other = process.env.BENCH_COMPARE_DIST;
  if (!other) return undefined;
  const module = require(resolve(other, 'bench/syncBench.js')) as { runSync: RunSync };
  return { name: `build in ${other}`, runSync: module.runSync, nodeArgs: [] };
}
