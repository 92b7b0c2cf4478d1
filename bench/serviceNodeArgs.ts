import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The Node options a measured service process runs with: the ones production runs with (taken from
 * `npm start`, which a unit test keeps equal to the image's and the Function App's), then
 * BENCH_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=<folder>` to profile it. Later options win, so
 * BENCH_NODE_ARGS can also override a production flag for an A/B.
 */
export function serviceNodeArgs(): string[] {
  return [...productionNodeArgs(), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
}

function productionNodeArgs(): string[] {
  // From dist/bench/ or bench/ alike: package.json sits at the project root.
  const root = resolve(__dirname, __dirname.includes('/dist/') ? '../..' : '..');
  const { scripts } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const flags = /(?:^|&&\s*)node\s+((?:--\S+\s+)*)dist\/src\/host\/main\.js\b/.exec(scripts.start)?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}
