import { afterEach, beforeEach } from 'vitest';
import type { Connection } from '../../../src/domain/connections/Connection';
import type { Scope } from '../../../src/domain/shared/Scope';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { ManifestEntry } from '../../../src/domain/sync/Manifest';
import type { SyncRun } from '../../../src/domain/sync/SyncRun';
import type { GitMode } from '../../../src/ports/SourceRepository';

/* What the MetadataRepo role contracts share: the adapter factory they are given and their fixtures. */

/** Makes a fresh, empty store for one test; `cleanup` runs after it. */
export type RepoFactory<Repo> = () => Promise<{ adapter: Repo; cleanup?: () => Promise<void> }>;

/** Registers, in the calling describe block, a fresh store before each test and its cleanup after it. */
export function freshStorePerTest<Repo>(makeAdapter: RepoFactory<Repo>, use: (adapter: Repo) => void): void {
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const made = await makeAdapter();
    use(made.adapter);
    cleanup = made.cleanup;
  });
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
}

export const ORG_A = 'org-a' as Scope;
export const ORG_B = 'org_b-2' as Scope;
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);

export function fullConnection(scope: Scope): Connection {
  return {
    scope,
    repository: 'acme/scripts',
    repositoryId: 9_007_199_254_740_990,
    branch: 'release/2025',
    subPath: 'workflows/ops',
    tokenRef: 'kv://tokens/acme',
    webhookSecretRef: 'kv://webhooks/acme',
    enabled: true,
    webhook: { mode: 'automatic', id: 9_007_199_254_740_991 },
    source: 'configuration',
    createdAt: at(-5_000),
    updatedAt: at(500),
    lastSyncedCommit: 'a'.repeat(40),
    lastSyncOutcome: 'succeeded',
    lastSyncAt: at(1_000),
    branchDeletedAt: at(2_000),
  };
}

export function minimalConnection(scope: Scope): Connection {
  return {
    scope,
    repository: 'acme/other',
    branch: 'main',
    subPath: '',
    tokenRef: 'kv://tokens/other',
    webhookSecretRef: 'kv://webhooks/other',
    enabled: false,
    webhook: { mode: 'manual' },
    createdAt: at(0),
    updatedAt: at(0),
  };
}

export function run(id: string, overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id,
    scope: ORG_A,
    trigger: 'push',
    deliveryId: `delivery-${id}`,
    status: 'running',
    startedAt: at(0),
    counts: { written: 0, deleted: 0, unchanged: 0, skipped: 0, bytesWritten: 0 },
    skipped: [],
    lfsPointers: [],
    sourceRequests: 0,
    ...overrides,
  };
}

export function finishedRun(id: string): SyncRun {
  return run(id, {
    scope: GLOBAL_SCOPE,
    trigger: 'replay',
    status: 'failed',
    startedAt: at(10_000),
    finishedAt: at(12_345),
    fromCommit: 'b'.repeat(40),
    commitSha: 'c'.repeat(40),
    counts: { written: 3, deleted: 2, unchanged: 1_000, skipped: 2, bytesWritten: 5_000_000_000 },
    skipped: [
      { path: 'lib/sub module', reason: 'submodule' },
      { path: 'bin/ünïcödé ☃.sh', reason: 'symlink' },
    ],
    lfsPointers: ['assets/big.bin', 'assets/日本語.bin'],
    sourceRequests: 7,
    error: { code: 'SOURCE_UNAVAILABLE', message: 'GitHub answered 502 twice', retryable: true },
    queueOutcome: {
      action: 'retry-scheduled',
      attempt: 2,
      reason: 'SOURCE_UNAVAILABLE',
      retryAt: at(20_000).toISOString(),
    },
  });
}

const MODES: readonly GitMode[] = ['100644', '100755', '120000', '160000'];

/** Deterministic pseudo-random hex, so big manifests compress like real ones (SHAs do not compress). */
function hex(seed: number, length: number): string {
  let state = seed | 0;
  let text = '';
  while (text.length < length) {
    // mulberry32: good enough spread, exact in 32-bit integer arithmetic.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    text += ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  }
  return text.slice(0, length);
}

export function entries(
  count: number,
  options: { seed?: number; randomPaths?: boolean } = {},
): Map<string, ManifestEntry> {
  const seed = options.seed ?? 1;
  const map = new Map<string, ManifestEntry>();
  for (let i = 0; i < count; i += 1) {
    const path = options.randomPaths
      ? `${hex(seed * 1_000_003 + i, 12)}/${hex(seed * 7_919 + i, 24)}.ps1`
      : `scripts/folder-${Math.floor(i / 50)}/workflow-${i}.ps1`;
    map.set(path, {
      sha: hex(seed * 31 + i, 40),
      size: (i * 7_919) % 1_000_000,
      mode: MODES[i % MODES.length] as GitMode,
    });
  }
  return map;
}

/** For adapter-specific tests that want the same fixtures. */
export const metadataFixtures = { fullConnection, minimalConnection, finishedRun, run, entries, at } as const;
