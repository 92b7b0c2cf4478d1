import { EmbeddedAzurite, type RunningAzurite } from '../src/adapters/azure-tables/EmbeddedAzurite';
import { ServiceBusPeer } from '../test/support/serviceBusPeer';
import type { FromPeerProcess, PeerKind, ToPeerProcess } from './webhookPeers';

/**
 * One reference peer of the webhook benchmark (Azurite's Table service, or the Service Bus test peer)
 * alone in this process, as Azure Tables and Service Bus are other machines in production: its work
 * neither waits for nor holds up the load generator's event loop. Talks to its parent over IPC.
 */
async function main(): Promise<void> {
  const kind = process.argv[2] as PeerKind;
  const send = (message: FromPeerProcess) => process.send!(message);
  let azurite: RunningAzurite | undefined;
  let serviceBus: ServiceBusPeer | undefined;
  if (kind === 'azurite') azurite = await EmbeddedAzurite.start({});
  else serviceBus = await ServiceBusPeer.start({ queues: JSON.parse(process.argv[3] ?? '{}') });
  process.on('message', (message: ToPeerProcess) => {
    if (message.kind === 'stats') {
      send({ kind: 'stats', stats: serviceBus!.stats(message.queue) });
      return;
    }
    Promise.all([azurite?.stop(), serviceBus?.stop()]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  send({ kind: 'ready', connectionString: (azurite ?? serviceBus)!.connectionString });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
