import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalVolumeFileStore } from '../src/adapters/local-volume/LocalVolumeFileStore';
import { ZipWorkspaceArchiver } from '../src/adapters/zip/ZipWorkspaceArchiver';
import { peakRssMB } from './peakRss';

/**
 * Zips a whole workspace folder into a file twice in a fresh process: the first archive pays for
 * the JIT warming up, the second shows a long-running host. Prints a JSON line with both times, the
 * CPU time of each (every thread of the process: on a busy shared machine it moves far less than the
 * wall time, and says how much work there is to spread over the cores), the process's peak RSS and its RSS before the first archive (the growth is what archiving costs; the
 * tests bound what the archiver holds instead, which a busy machine cannot move). Arguments: the
 * workspace folder, the zip file.
 */
async function main(): Promise<void> {
  const [root, target] = process.argv.slice(2);
  if (root === undefined || target === undefined) throw new Error('usage: zipOnce <workspace folder> <zip file>');
  const store = await LocalVolumeFileStore.open(root);
  const archiver = new ZipWorkspaceArchiver(store);
  const rssBeforeMB = process.memoryUsage().rss / (1024 * 1024);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let round = 0; round < 2; round++) {
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const zip = archiver.zip([{ storePath: '', nameInArchive: '' }]);
    await pipeline(Readable.from(zip, { objectMode: false }), createWriteStream(target));
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    const cpu = process.cpuUsage(cpuBefore);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  const figures = {
    coldMs: times[0],
    warmMs: times[1],
    coldCpuMs: cpuTimes[0],
    warmCpuMs: cpuTimes[1],
    maxRssMB: peakRssMB(),
    rssBeforeMB,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
