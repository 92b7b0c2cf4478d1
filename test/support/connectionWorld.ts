import { InMemoryFileStore, type InMemoryFileStoreOptions } from '../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../src/adapters/in-memory/InMemorySecretStore';
import type { SyncCommand } from '../../src/domain/sync/SyncCommand';
import { type SyncSettings, SyncWorkspace } from '../../src/domain/sync/SyncWorkspace';
import type { CommandQueue, DeadLetter, ReplayResult } from '../../src/ports/CommandQueue';
import type { RepositoryPermissions } from '../../src/ports/RepositoryAdmin';
import { InMemoryRepositoryAdmin } from '../doubles/InMemoryRepositoryAdmin';
import { type InMemoryFiles, InMemorySourceRepositoryFactory } from '../doubles/InMemorySourceRepository';
import { ManualClock } from '../doubles/ManualClock';
import { SequentialIdGenerator } from '../doubles/SequentialIdGenerator';
import { captureLogger } from './captureLogger';

/** A CommandQueue that keeps what was sent, for asserting on it; `failNext` makes a send throw. */
export class RecordingQueue implements CommandQueue {
  readonly sent: SyncCommand[] = [];
  private failures = 0;

  failNext(): void {
    this.failures += 1;
  }

  async send(command: SyncCommand): Promise<boolean> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('queue unreachable (injected)');
    }
    this.sent.push(structuredClone(command));
    return true;
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    return [];
  }

  async replayDeadLetters(): Promise<ReplayResult> {
    return { replayed: [], notFound: [], notReplayable: [] };
  }

  async purgeDeadLetters(): Promise<number> {
    return 0;
  }

  async probe(): Promise<void> {}
  async open(): Promise<void> {}
}

export const READ_ONLY: RepositoryPermissions = { pull: true, push: false, admin: false };

/**
 * Everything the connection use cases talk to, in memory: one GitHub (sources and administration
 * agree on repositories and tokens), metadata, files, secrets, a recording queue and a clock.
 */
export function connectionWorld(fileOptions: InMemoryFileStoreOptions = {}) {
  const sources = new InMemorySourceRepositoryFactory();
  const admin = new InMemoryRepositoryAdmin();
  const metadata = new InMemoryMetadataRepo();
  const files = new InMemoryFileStore(fileOptions);
  const secrets = new InMemorySecretStore();
  const queue = new RecordingQueue();
  const clock = new ManualClock('2025-03-01T10:00:00.000Z');
  const ids = new SequentialIdGenerator();
  return {
    sources,
    admin,
    metadata,
    files,
    secrets,
    queue,
    clock,
    ids,
    /** Creates `repository` (once) and lets `token` use it with `permissions` (default: all). */
    publish(repository: string, token: string, permissions?: RepositoryPermissions): void {
      if (!sources.repositories.has(repository)) {
        sources.addRepository(repository);
        admin.addRepository(repository, { private: true });
      }
      sources.grant(repository, token);
      admin.grant(repository, token, permissions);
    },
    /** A token GitHub accepts that sees nothing. */
    outsider(token: string): void {
      sources.addToken(token);
      admin.addToken(token);
    },
    commit(repository: string, snapshot: InMemoryFiles, branch = 'main'): string {
      return sources.commit(repository, snapshot, { branch });
    },
    /** The worker's use case on the same adapters. */
    syncWorkspace(overrides: Partial<SyncSettings> = {}): SyncWorkspace {
      return new SyncWorkspace({
        metadata,
        files,
        sources,
        secrets,
        queue,
        clock,
        ids,
        logger: captureLogger().logger,
        settings: {
          holderId: 'worker-1',
          leaseTtlMs: 60_000,
          fetchConcurrency: 4,
          archiveThreshold: 1_000,
          maxRounds: 3,
          ...overrides,
        },
      });
    },
    async write(path: string, content: string, executable = false): Promise<void> {
      await files.write(path, new TextEncoder().encode(content), { executable });
    },
    async read(path: string): Promise<string | null> {
      const bytes = await files.read(path);
      return bytes === null ? null : new TextDecoder().decode(bytes);
    },
  };
}

export type ConnectionWorld = ReturnType<typeof connectionWorld>;
