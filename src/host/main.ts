import './compileCache';
import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { discardPrestartedTables, prestartEmbeddedTables } from './embeddedTables';
import type * as LocalHostModule from './localHost';
import { assertPortFree, portInUseMessage } from './portCheck';
import { StartupConflictError } from './StartupConflictError';

/** `npm start`: the whole service in one process on its embedded defaults. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // Before anything starts: a second `npm start` is told to set PORT, not left to fail later.
  await assertPortFree(config.HOST, config.PORT);
  // The embedded Azurite loads and starts in its worker thread while this thread loads the service.
  prestartEmbeddedTables(config);
  const { startLocalHost } = require('./localHost') as typeof LocalHostModule;
  const host = await startLocalHost();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      host.logger.warn({ signal }, 'second signal: exiting now; the next start converges the workspace');
      process.exit(130);
    }
    stopping = true;
    host.logger.info({ signal }, 'shutting down: no new requests, letting running syncs finish');
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(async (error: unknown) => {
  await discardPrestartedTables();
  const listen = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (error instanceof ConfigError || error instanceof StartupConflictError) {
    process.stderr.write(`workspace-sync: ${error.message}\n`);
  } else if (listen.code === 'EADDRINUSE' && listen.syscall === 'listen') {
    // Taken between the start-up check and the listen.
    process.stderr.write(`workspace-sync: ${portInUseMessage(listen.address ?? 'this host', listen.port ?? 0)}\n`);
  } else {
    process.stderr.write(
      `workspace-sync failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
