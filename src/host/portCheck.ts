import { createServer } from 'node:net';
import { StartupConflictError } from './StartupConflictError';

/** What to say when HOST:PORT is taken. */
export function portInUseMessage(host: string, port: number): string {
  return `port ${port} on ${host} is already in use (is workspace-sync already running?): stop that process, or set PORT to a free port`;
}

/**
 * Fails with a StartupConflictError when HOST:PORT is taken, before anything else starts (the
 * embedded Azurite among them). Only a courtesy: the real listen still reports a port taken since.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return; // the OS picks a free one
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new StartupConflictError(portInUseMessage(host, port));
    return; // EACCES and the like: the real listen reports them
  } finally {
    if (probe.listening) await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}
