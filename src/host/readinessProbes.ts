import type { DependencyProbe } from '../domain/shared/CheckReadiness';
import { GLOBAL_SCOPE } from '../domain/shared/Scope';
import type { CommandQueue } from '../ports/CommandQueue';
import type { FileStore } from '../ports/FileStore';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { SecretStore } from '../ports/SecretStore';

/** Where the workspace probe writes: the store's internal folder, never a scope's. */
const PROBE_FOLDER = '.workspace-sync/health';

/** One cheap, side-effect-free round trip per dependency. */
export function readinessProbes(deps: {
  metadata: MetadataRepo;
  files: FileStore;
  queue: CommandQueue;
  secrets: SecretStore;
}): DependencyProbe[] {
  return [
    { name: 'metadata', check: async () => void (await deps.metadata.getConnection(GLOBAL_SCOPE)) },
    {
      name: 'workspace',
      check: async () => {
        // Write, read back and delete: a mounted share that went read-only fails here, not on the next save.
        const path = `${PROBE_FOLDER}/${globalThis.crypto.randomUUID()}`;
        const written = new TextEncoder().encode(path);
        try {
          await deps.files.write(path, written);
          const read = await deps.files.read(path);
          if (!read || Buffer.compare(Buffer.from(read), Buffer.from(written)) !== 0)
            throw new Error('read back different bytes than written');
        } finally {
          await deps.files.delete(path).catch(() => undefined);
        }
      },
    },
    { name: 'queue', check: () => deps.queue.probe() },
    { name: 'secrets', check: async () => void (await deps.secrets.get('workspace-sync-readiness-probe')) },
  ];
}
