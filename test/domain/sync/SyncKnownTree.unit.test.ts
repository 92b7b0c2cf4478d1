import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import { SyncWorkspace } from '../../../src/domain/sync/SyncWorkspace';
import type { KnownTree, SourceRepositoryFactory, SourceTreeEntry } from '../../../src/ports/SourceRepository';
import { InMemorySourceRepositoryFactory } from '../../doubles/InMemorySourceRepository';
import { ManualClock } from '../../doubles/ManualClock';
import { SequentialIdGenerator } from '../../doubles/SequentialIdGenerator';
import { captureLogger } from '../../support/captureLogger';
import { aConnection, aSyncCommand } from '../../support/mothers';

const REPO = 'acme/scripts';
const TOKEN = 'ghp_known_tree';

const sorted = (entries: readonly SourceTreeEntry[]): SourceTreeEntry[] =>
  [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/**
 * The tree a sync read is kept beside the manifest and handed to the source on the next sync
 * (issue #10), so the source can list only the folders that changed.
 */
describe('SyncWorkspace: the tree of the last sync', () => {
  let github: InMemorySourceRepositoryFactory;
  let metadata: InMemoryMetadataRepo;
  let files: InMemoryFileStore;
  /** What each tree read was given, and what it answered. */
  let reads: Array<{ known: KnownTree | undefined; entries: readonly SourceTreeEntry[] }>;

  const recording: SourceRepositoryFactory = {
    open: (location) => {
      const inner = github.open(location);
      return {
        get requestCount() {
          return inner.requestCount;
        },
        branchHead: (branch) => inner.branchHead(branch),
        tree: async (commitSha, subPath, known) => {
          const tree = await inner.tree(commitSha, subPath);
          reads.push({ known, entries: tree.entries });
          return tree;
        },
        blob: (sha, size) => inner.blob(sha, size),
        archive: (commitSha, expected) => inner.archive(commitSha, expected),
      };
    },
  };

  beforeEach(async () => {
    github = new InMemorySourceRepositoryFactory();
    github.addToken(TOKEN);
    github.addRepository(REPO, { tokens: [TOKEN] });
    metadata = new InMemoryMetadataRepo();
    files = new InMemoryFileStore();
    reads = [];
    await metadata.saveConnection(aConnection({ scope: GLOBAL_SCOPE, repository: REPO, tokenRef: 'TOKEN' }));
  });

  it('hands the previous tree, skipped entries included, to the next read', async () => {
    const secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', TOKEN);
    github.commit(REPO, {
      'a/one.ps1': 'one',
      'a/b/two.ps1': { content: 'two', executable: true },
      link: { symlinkTo: 'a/one.ps1' },
      'caf\u0065\u0301.ps1': 'nfd',
    });
    await syncWith(secrets);
    github.commit(REPO, { 'a/one.ps1': 'one, edited', 'c/new.ps1': 'new' });
    await syncWith(secrets);
    expect(reads).toHaveLength(2);
    expect(reads[0]?.known).toBeUndefined();
    expect(sorted(reads[1]?.known?.entries ?? [])).toEqual(sorted(reads[0]!.entries));
  });

  it('hands none over while the manifest is dirty', async () => {
    const secrets = new InMemorySecretStore();
    await secrets.set('TOKEN', TOKEN);
    github.commit(REPO, { 'a/one.ps1': 'one' });
    await syncWith(secrets);
    await metadata.markManifestDirty(GLOBAL_SCOPE);
    github.commit(REPO, { 'a/one.ps1': 'two' });
    await syncWith(secrets);
    expect(reads[1]?.known).toBeUndefined();
  });

  async function syncWith(secrets: InMemorySecretStore): Promise<void> {
    const clock = new ManualClock();
    const result = await new SyncWorkspace({
      metadata,
      files,
      sources: recording,
      secrets,
      queue: new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 1 }),
      clock,
      ids: new SequentialIdGenerator(`run-${reads.length}-`),
      logger: captureLogger().logger,
      settings: {
        holderId: 'worker-a',
        leaseTtlMs: 60_000,
        fetchConcurrency: 4,
        archiveThreshold: 1_000,
        maxRounds: 5,
      },
    }).execute(aSyncCommand({ scope: GLOBAL_SCOPE, trigger: 'push', requestedAt: clock.now().toISOString() }));
    expect(result.kind).toBe('completed');
  }
});
