import 'reflect-metadata';
import { parseScope } from '../src/domain/shared/Scope';
import { buildContainer } from '../src/host/buildContainer';
import { loadConfig } from '../src/host/config';
import { loadConnectionSeeds } from '../src/host/connectionSeeds';
import { TYPES } from '../src/host/identifiers';
import { seedConnections } from '../src/host/seedConnections';

/**
 * One sync of one scope in a fresh process, wired by the real composition root from the
 * environment; prints a JSON line with the time, the run and the process's peak RSS.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const { container, lifecycle } = await buildContainer(config);
  const seeds = await loadConnectionSeeds(config);
  await seedConnections(container.get(TYPES.MetadataRepo), seeds, container.get(TYPES.Clock));
  const scope = parseScope(process.argv[2] ?? 'GLOBAL')!;
  // From the process's start (spawn, module loading, wiring) to the sync's start.
  const startupMs = performance.now();
  const started = process.hrtime.bigint();
  const result = await container.get(TYPES.SyncWorkspace).execute({
    scope,
    trigger: 'push',
    deliveryId: `bench-${Date.now()}`,
    requestedAt: new Date().toISOString(),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await lifecycle.stopAll();
  const run = 'runs' in result ? result.runs[0] : undefined;
  process.stdout.write(
    `${JSON.stringify({ ms, startupMs, kind: result.kind, status: run?.status, counts: run?.counts, sourceRequests: run?.sourceRequests, error: 'error' in result ? result.error : undefined, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
