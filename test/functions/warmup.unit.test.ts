import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../src/adapters/in-memory/InMemorySecretStore';
import { GLOBAL_SCOPE, type Scope } from '../../src/domain/shared/Scope';
import { warmUp } from '../../src/functions/warmup';
import { CommandQueueError } from '../../src/ports/CommandQueue';
import { minimalConnection } from '../ports/contracts/MetadataRepo.fixtures';
import { captureLogger } from '../support/captureLogger';
import { RecordingQueue } from '../support/connectionWorld';

/** A queue that counts opens, and can refuse them as an unreachable namespace does. */
class OpeningQueue extends RecordingQueue {
  opened = 0;
  refuse = false;
  override async open(): Promise<void> {
    if (this.refuse) throw new CommandQueueError('Unavailable', 'namespace not reachable');
    this.opened++;
  }
}

/** Secret reads, by reference. */
class ReadRecordingSecrets extends InMemorySecretStore {
  readonly reads: string[] = [];
  override async get(ref: string): Promise<string | null> {
    this.reads.push(ref);
    return super.get(ref);
  }
}

async function world(connected: Scope[]) {
  const metadata = new InMemoryMetadataRepo();
  for (const scope of connected) await metadata.saveConnection(minimalConnection(scope));
  const looked: Scope[] = [];
  const connections = {
    getConnection: (scope: Scope) => {
      looked.push(scope);
      return metadata.getConnection(scope);
    },
  };
  return { queue: new OpeningQueue(), secrets: new ReadRecordingSecrets(), connections, looked, log: captureLogger() };
}

describe('warmUp', () => {
  it('walks the webhook path of GLOBAL: its connection, its webhook secret, and the queue opened; sends nothing', async () => {
    const w = await world([GLOBAL_SCOPE]);
    await warmUp({ queue: w.queue, connections: w.connections, secrets: w.secrets, logger: w.log.logger });
    expect(w.looked).toEqual([GLOBAL_SCOPE]);
    expect(w.secrets.reads).toEqual([minimalConnection(GLOBAL_SCOPE).webhookSecretRef]);
    expect(w.queue.opened).toBe(1);
    expect(w.queue.sent).toEqual([]);
    expect(w.log.text()).toContain('warm-up: webhook path ready');
  });

  it('with GLOBAL not connected, reads no secret and still opens the queue', async () => {
    const w = await world([]);
    await warmUp({ queue: w.queue, connections: w.connections, secrets: w.secrets, logger: w.log.logger });
    expect(w.secrets.reads).toEqual([]);
    expect(w.queue.opened).toBe(1);
  });

  it('never fails: an unreachable queue or store is logged as a warning, the rest still warmed', async () => {
    const w = await world([GLOBAL_SCOPE]);
    w.queue.refuse = true;
    const failingLookup = { getConnection: async () => Promise.reject(new Error('Tables not reachable')) };
    await expect(
      warmUp({ queue: w.queue, connections: failingLookup, secrets: w.secrets, logger: w.log.logger }),
    ).resolves.toBeUndefined();
    const warning = w.log.lines().find((line) => line.includes('warm-up: not everything was reachable'));
    expect(warning).toContain('namespace not reachable');
    expect(warning).toContain('Tables not reachable');

    w.queue.refuse = false;
    const onlyLookupFails = captureLogger();
    await warmUp({ queue: w.queue, connections: failingLookup, secrets: w.secrets, logger: onlyLookupFails.logger });
    expect(w.queue.opened).toBe(1);
    expect(onlyLookupFails.text()).toContain('Tables not reachable');
    expect(onlyLookupFails.text()).not.toContain('namespace not reachable');
  });
});
