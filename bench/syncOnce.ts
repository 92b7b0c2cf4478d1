// As every production entry point does (main, functionsApp): compiled code is kept between starts.
import '../src/host/compileCache';
import 'reflect-metadata';
import { parseScope } from '../src/domain/shared/Scope';
import { buildContainer } from '../src/host/buildContainer';
import { loadConfig } from '../src/host/config';
import { loadConnectionSeeds } from '../src/host/connectionSeeds';
import { TYPES } from '../src/host/identifiers';
import { seedConnections } from '../src/host/seedConnections';
import { peakRssMB } from './peakRss';

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
  const sync = async (): Promise<Record<string, unknown>> => {
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const result = await container.get(TYPES.SyncWorkspace).execute({
      scope,
      trigger: 'push',
      deliveryId: `bench-${Date.now()}`,
      requestedAt: new Date().toISOString(),
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time is steadier than wall time on a shared machine (every thread); beside it, how long
    // the main thread's loop was busy, which also counts time it waited for a core.
    const cpuMs = (cpu.user + cpu.system) / 1e3;
    const mainThreadMs = performance.eventLoopUtilization(loopBefore).active;
    const run = 'runs' in result ? result.runs[0] : undefined;
    const error = 'error' in result ? result.error : undefined;
    return {
      ms,
      cpuMs,
      mainThreadMs,
      kind: result.kind,
      status: run?.status,
      counts: run?.counts,
      sourceRequests: run?.sourceRequests,
      error,
    };
  };
  const first = await sync();
  // `warm`: once the parent sends a line (it pushed another change), a second sync in this process,
  // as a long-lived Functions instance runs it; printed as its own line before the usual one.
  if (process.argv[3] === 'warm') {
    process.stdout.write('{"ready":true}\n');
    await nextLine(process.stdin);
    process.stdout.write(`${JSON.stringify({ warm: await sync() })}\n`);
  }
  await lifecycle.stopAll();
  process.stdout.write(`${JSON.stringify({ ...first, startupMs, maxRssMB: peakRssMB() })}\n`);
}

/** Waits for one line on `input`, then closes it (an open stdin would keep the process alive). */
function nextLine(input: NodeJS.ReadStream): Promise<void> {
  return new Promise((resolveLine) => {
    const onData = (chunk: Buffer | string): void => {
      if (!chunk.toString().includes('\n')) return;
      input.off('data', onData);
      input.destroy();
      resolveLine();
    };
    input.on('data', onData);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
