import * as nodeModule from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { AzuriteWorkerData, FromAzuriteWorker, ToAzuriteWorker } from './AzuriteWorkerMessages';
import { loadAzurite, startTableServer } from './EmbeddedAzurite';

// The entry of AzuriteWorker's thread: Azurite's Table service, loaded and run apart from the main
// thread. A worker is a Node instance of its own, so the compile cache is switched on here too.
nodeModule.enableCompileCache?.();

const port = parentPort;
if (port === null) throw new Error('azuriteWorkerThread runs only as a worker thread (see AzuriteWorker)');
const { options } = workerData as AzuriteWorkerData;
const send = (message: FromAzuriteWorker) => port.postMessage(message);

// Azurite's modules load at once, while the main thread claims the folder and loads the service. A
// failure is told in answer to 'start': the main thread listens for answers only from then on.
let loadFailure: unknown;
try {
  loadAzurite();
} catch (error) {
  loadFailure = error ?? new Error('Azurite failed to load');
}

port.once('message', (start: ToAzuriteWorker) => {
  if (start.kind !== 'start') return;
  if (loadFailure !== undefined) {
    send({ kind: 'failed', ...describe(loadFailure) });
    return;
  }
  startTableServer(options, start.dbPath).then(
    (server) => {
      send({
        kind: 'ready',
        port: server.port,
        tableEndpoint: server.tableEndpoint,
        connectionString: server.connectionString,
      });
      port.on('message', (message: ToAzuriteWorker) => {
        if (message.kind !== 'stop') return;
        // close() flushes a persistent database to disk; only then may the thread be ended.
        server.close().then(
          () => send({ kind: 'stopped' }),
          (error: unknown) => send({ kind: 'failed', ...describe(error) }),
        );
      });
    },
    (error: unknown) => send({ kind: 'failed', ...describe(error) }),
  );
});

function describe(error: unknown): { message: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    message: error.message,
    ...(code === undefined ? {} : { code }),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}
