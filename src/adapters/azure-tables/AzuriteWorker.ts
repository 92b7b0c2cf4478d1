import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AzuriteWorkerData, FromAzuriteWorker, ToAzuriteWorker } from './AzuriteWorkerMessages';
import { claimPersistence, type EmbeddedAzuriteOptions, type RunningAzurite } from './EmbeddedAzurite';
import type { FolderLock } from './FolderLock';

/**
 * The worker's entry, compiled. Run from TypeScript source (the tests), this file has no compiled
 * sibling, so the build's copy is used (`npm run build`, which `npm test` runs first).
 */
function workerScript(): string {
  return __filename.endsWith('.js')
    ? join(__dirname, 'azuriteWorkerThread.js')
    : resolve(__dirname, '../../../dist/src/adapters/azure-tables/azuriteWorkerThread.js');
}

/** An error the worker described, as an Error again (with its code, e.g. EADDRINUSE). */
function errorFrom(message: Extract<FromAzuriteWorker, { kind: 'failed' }>): Error {
  const error = new Error(message.message) as NodeJS.ErrnoException;
  if (message.code !== undefined) error.code = message.code;
  if (message.stack !== undefined) error.stack = message.stack;
  return error;
}

/** The worker's next message; its exit or crash first is a failure. */
async function nextMessage(worker: Worker): Promise<FromAzuriteWorker> {
  const abort = new AbortController();
  try {
    return await Promise.race([
      once(worker, 'message', { signal: abort.signal }).then(([message]) => message as FromAzuriteWorker),
      once(worker, 'exit', { signal: abort.signal }).then(([code]) => {
        throw new Error(`the embedded Azurite's worker thread exited (code ${code}) before answering`);
      }),
    ]);
  } finally {
    abort.abort(); // `once` rejects on the thread's 'error' event by itself
  }
}

/**
 * The embedded Azurite (EmbeddedAzurite) in a worker thread: it loads and starts on the other core
 * while the main thread loads the service, and its request handling stays off the main thread's event
 * loop. Clients reach it over loopback HTTP as before. The persistence folder is locked here, in the
 * main thread, where the lock's in-process bookkeeping lives; stop() closes the service (flushing a
 * persistent database), ends the thread and releases the folder.
 */
export const AzuriteWorker = {
  async start(options: EmbeddedAzuriteOptions = {}): Promise<RunningAzurite> {
    const { persistencePath, ...serverOptions } = options;
    // The thread first, before any await: it loads Azurite while this thread claims the folder (and,
    // at start-up, synchronously loads the service's modules, which would hold back a later spawn).
    const worker = new Worker(workerScript(), { workerData: { options: serverOptions } satisfies AzuriteWorkerData });
    let lock: FolderLock | undefined;
    let ready: FromAzuriteWorker;
    try {
      const claimed = await claimPersistence(persistencePath);
      lock = claimed.lock;
      worker.postMessage({ kind: 'start', dbPath: claimed.dbPath } satisfies ToAzuriteWorker);
      ready = await nextMessage(worker);
      if (ready.kind !== 'ready')
        throw ready.kind === 'failed' ? errorFrom(ready) : new Error(`unexpected '${ready.kind}' from the worker`);
    } catch (error) {
      await worker.terminate();
      await lock?.release();
      throw error;
    }
    let stopping: Promise<void> | undefined;
    // Were the thread to die while in use, the service has lost its database: fail loudly, as a crash
    // of the in-process Azurite did, rather than answer every request with a connection error.
    const onExit = (code: number) => {
      if (stopping === undefined)
        throw new Error(`the embedded Azurite's worker thread stopped unexpectedly (exit code ${code})`);
    };
    worker.on('exit', onExit);
    const stop = async (): Promise<void> => {
      try {
        worker.postMessage({ kind: 'stop' } satisfies ToAzuriteWorker);
        const answer = await nextMessage(worker).catch((error: unknown) => ({
          kind: 'failed' as const,
          message: error instanceof Error ? error.message : String(error),
        }));
        await worker.terminate();
        if (answer.kind === 'failed') throw errorFrom(answer);
      } finally {
        await lock?.release();
      }
    };
    return {
      connectionString: ready.connectionString,
      tableEndpoint: ready.tableEndpoint,
      port: ready.port,
      stop() {
        stopping ??= stop();
        return stopping;
      },
    };
  },
};
