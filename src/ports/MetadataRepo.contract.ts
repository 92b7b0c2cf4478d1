import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../domain/Connection';
import type { ManifestEntry } from '../domain/Manifest';
import type { Scope } from '../domain/Scope';
import { GLOBAL_SCOPE } from '../domain/Scope';
import type { SyncRun, SyncRunStatus } from '../domain/SyncRun';
import { LeaseLostError } from './MetadataRepo';
import type { LeaseAcquisition, MetadataRepo, ScopeLease } from './MetadataRepo';
import type { GitMode } from './SourceRepository';

export type MetadataRepoFactory = () => Promise<{ adapter: MetadataRepo; cleanup?: () => Promise<void> }>;

const ORG_A = 'org-a' as Scope;
const ORG_B = 'org_b-2' as Scope;
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const at = (offsetMs: number): Date => new Date(T0 + offsetMs);

function fullConnection(scope: Scope): Connection {
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

function minimalConnection(scope: Scope): Connection {
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

function run(id: string, overrides: Partial<SyncRun> = {}): SyncRun {
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

function finishedRun(id: string): SyncRun {
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
    queueOutcome: { action: 'retry-scheduled', attempt: 2, reason: 'SOURCE_UNAVAILABLE', retryAt: at(20_000).toISOString() },
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

function entries(count: number, options: { seed?: number; randomPaths?: boolean } = {}): Map<string, ManifestEntry> {
  const seed = options.seed ?? 1;
  const map = new Map<string, ManifestEntry>();
  for (let i = 0; i < count; i += 1) {
    const path = options.randomPaths
      ? `${hex(seed * 1_000_003 + i, 12)}/${hex(seed * 7_919 + i, 24)}.ps1`
      : `scripts/folder-${Math.floor(i / 50)}/workflow-${i}.ps1`;
    map.set(path, { sha: hex(seed * 31 + i, 40), size: (i * 7_919) % 1_000_000, mode: MODES[i % MODES.length] as GitMode });
  }
  return map;
}

function acquired(result: LeaseAcquisition): ScopeLease {
  if (result.kind !== 'acquired') throw new Error(`expected the lease to be acquired, got ${result.kind}`);
  return result.lease;
}

/** The MetadataRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeMetadataRepoContract(name: string, makeAdapter: MetadataRepoFactory): void {
  describe(`MetadataRepo contract: ${name}`, () => {
    let repo: MetadataRepo;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await makeAdapter();
      repo = made.adapter;
      cleanup = made.cleanup;
    });

    afterEach(async () => {
      await cleanup?.();
    });

    describe('connections', () => {
      it('answers null and an empty list when nothing is stored', async () => {
        expect(await repo.getConnection(ORG_A)).toBeNull();
        expect(await repo.listConnections()).toEqual([]);
      });

      it('round-trips every field, optional ones and Dates included', async () => {
        await repo.saveConnection(fullConnection(ORG_A));
        await repo.saveConnection(minimalConnection(GLOBAL_SCOPE));

        const full = await repo.getConnection(ORG_A);
        expect(full).toStrictEqual(fullConnection(ORG_A));
        expect(full?.lastSyncAt).toBeInstanceOf(Date);
        expect(await repo.getConnection(GLOBAL_SCOPE)).toStrictEqual(minimalConnection(GLOBAL_SCOPE));
        const listed = await repo.listConnections();
        expect(listed.sort((a, b) => a.scope.localeCompare(b.scope))).toStrictEqual([
          minimalConnection(GLOBAL_SCOPE),
          fullConnection(ORG_A),
        ]);
      });

      it('replaces the whole connection on save, clearing optional fields', async () => {
        await repo.saveConnection(fullConnection(ORG_A));
        await repo.saveConnection(minimalConnection(ORG_A));
        expect(await repo.getConnection(ORG_A)).toStrictEqual(minimalConnection(ORG_A));
        expect(await repo.listConnections()).toHaveLength(1);
      });

      it('deletes one scope only, and deleting twice is harmless', async () => {
        await repo.saveConnection(fullConnection(ORG_A));
        await repo.saveConnection(fullConnection(ORG_B));
        await repo.deleteConnection(ORG_A);
        await repo.deleteConnection(ORG_A);
        expect(await repo.getConnection(ORG_A)).toBeNull();
        expect(await repo.getConnection(ORG_B)).toStrictEqual(fullConnection(ORG_B));
      });

      it('hands out copies: changing a returned Date does not change the store', async () => {
        await repo.saveConnection(fullConnection(ORG_A));
        const first = await repo.getConnection(ORG_A);
        first?.lastSyncAt?.setTime(0);
        expect((await repo.getConnection(ORG_A))?.lastSyncAt).toEqual(at(1_000));
      });
    });

    describe('runs', () => {
      it('round-trips a run with every field and answers null for an unknown id', async () => {
        await repo.saveRun(finishedRun('run-1'));
        expect(await repo.getRun('run-1')).toStrictEqual(finishedRun('run-1'));
        expect(await repo.getRun('run-2')).toBeNull();
      });

      it('replaces a run by id, and the listing shows it once with the new state', async () => {
        await repo.saveRun(run('run-1'));
        const done = run('run-1', { status: 'succeeded', finishedAt: at(5_000), commitSha: 'd'.repeat(40) });
        await repo.saveRun(done);
        expect(await repo.getRun('run-1')).toStrictEqual(done);
        const page = await repo.listRuns({ limit: 10 });
        expect(page.runs).toStrictEqual([done]);
        expect((await repo.listRuns({ limit: 10, status: 'running' })).runs).toEqual([]);
      });

      it('moves a run in the listing when a save changes its start time or scope', async () => {
        await repo.saveRun(run('early', { startedAt: at(1_000) }));
        await repo.saveRun(run('late', { startedAt: at(2_000) }));
        await repo.saveRun(run('early', { startedAt: at(3_000), scope: ORG_B }));
        expect((await repo.listRuns({ limit: 10 })).runs.map((r) => r.id)).toEqual(['early', 'late']);
        expect((await repo.listRuns({ limit: 10, scope: ORG_A })).runs.map((r) => r.id)).toEqual(['late']);
        expect((await repo.listRuns({ limit: 10, scope: ORG_B })).runs.map((r) => r.id)).toEqual(['early']);
      });

      describe('listing 25 runs', () => {
        const statuses: readonly SyncRunStatus[] = ['succeeded', 'failed', 'noop', 'running'];
        // Runs 12 and 13 start at the same millisecond: ties are broken by id, consistently.
        const all = Array.from({ length: 25 }, (_, i) =>
          run(`run-${String(i).padStart(2, '0')}`, {
            scope: i % 3 === 0 ? ORG_B : ORG_A,
            status: statuses[i % statuses.length] as SyncRunStatus,
            startedAt: at((i === 13 ? 12 : i) * 60_000),
          }),
        );
        const newestFirst = [...all].sort(
          (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );

        beforeEach(async () => {
          // Saved in a scrambled order: listing order must come from startedAt, not insertion.
          for (const index of [7, 0, 24, 13, 3, 18, 12, 1, 22, 9, 15, 5, 11, 20, 2, 16, 8, 23, 4, 14, 19, 6, 21, 10, 17]) {
            await repo.saveRun(all[index] as SyncRun);
          }
        });

        async function collect(query: { scope?: Scope; status?: SyncRunStatus; limit: number }) {
          const ids: string[] = [];
          const pageSizes: number[] = [];
          let continuationToken: string | undefined;
          for (let pages = 0; pages < 30; pages += 1) {
            const page = await repo.listRuns({ ...query, ...(continuationToken === undefined ? {} : { continuationToken }) });
            ids.push(...page.runs.map((r) => r.id));
            pageSizes.push(page.runs.length);
            continuationToken = page.continuationToken;
            if (continuationToken === undefined) return { ids, pageSizes };
          }
          throw new Error('paging did not end');
        }

        it('lists newest first in pages, with a token exactly while more remain', async () => {
          const first = await repo.listRuns({ limit: 10 });
          expect(first.runs).toStrictEqual(newestFirst.slice(0, 10));
          expect(typeof first.continuationToken).toBe('string');

          expect(await collect({ limit: 10 })).toEqual({ ids: newestFirst.map((r) => r.id), pageSizes: [10, 10, 5] });
          // 25 = 5 x 5: the last full page must not promise a further, empty page.
          expect((await collect({ limit: 5 })).pageSizes).toEqual([5, 5, 5, 5, 5]);
          expect((await collect({ limit: 100 })).pageSizes).toEqual([25]);
          expect((await collect({ limit: 1 })).ids).toEqual(newestFirst.map((r) => r.id));
        });

        it('filters by scope, by status and by both, still newest first', async () => {
          const expectIds = (filter: (r: SyncRun) => boolean) => newestFirst.filter(filter).map((r) => r.id);
          expect((await collect({ limit: 4, scope: ORG_B })).ids).toEqual(expectIds((r) => r.scope === ORG_B));
          expect((await collect({ limit: 3, status: 'failed' })).ids).toEqual(expectIds((r) => r.status === 'failed'));
          expect((await collect({ limit: 2, scope: ORG_A, status: 'noop' })).ids).toEqual(
            expectIds((r) => r.scope === ORG_A && r.status === 'noop'),
          );
          expect((await collect({ limit: 10, scope: 'org-nobody' as Scope })).ids).toEqual([]);
        });

        it('keeps paging stable when newer runs arrive between pages', async () => {
          const first = await repo.listRuns({ limit: 10 });
          await repo.saveRun(run('newest', { startedAt: at(999 * 60_000) }));
          const second = await repo.listRuns({ limit: 10, continuationToken: first.continuationToken as string });
          expect(second.runs.map((r) => r.id)).toEqual(newestFirst.slice(10, 20).map((r) => r.id));
        });

        it('rejects a page size outside 1..100 and a forged token', async () => {
          await expect(repo.listRuns({ limit: 0 })).rejects.toThrow();
          await expect(repo.listRuns({ limit: 101 })).rejects.toThrow();
          await expect(repo.listRuns({ limit: 10, continuationToken: 'not-a-token' })).rejects.toThrow();
        });
      });

      it('keeps ids with unusual characters apart', async () => {
        const ids = ['a/b', 'a#b', 'a?b', 'a\\b', 'a|b', 'ünï-☃', 'a b'];
        for (const [index, id] of ids.entries()) await repo.saveRun(run(id, { startedAt: at(index) }));
        for (const id of ids) expect((await repo.getRun(id))?.id).toBe(id);
        expect((await repo.listRuns({ limit: 100 })).runs.map((r) => r.id)).toEqual([...ids].reverse());
      });

      it('stores a run with thousands of skipped entries, keeping a prefix of the list and all counts', async () => {
        const skipped = Array.from({ length: 5_000 }, (_, i) => ({ path: `very/long/path/number/${i}/${'x'.repeat(60)}`, reason: 'symlink' }));
        const big = run('big', { skipped, lfsPointers: skipped.map((s) => s.path), counts: { ...run('big').counts, skipped: 5_000 } });
        await repo.saveRun(big);
        const read = await repo.getRun('big');
        expect(read?.counts.skipped).toBe(5_000);
        expect(read?.skipped.length).toBeGreaterThan(0);
        expect(read?.skipped).toEqual(skipped.slice(0, read?.skipped.length));
        expect(read?.lfsPointers).toEqual(big.lfsPointers.slice(0, read?.lfsPointers.length));
        expect((await repo.listRuns({ limit: 1 })).runs[0]?.id).toBe('big');
      });
    });

    describe('manifests', () => {
      it('answers null for an unknown scope, and marking it dirty creates nothing', async () => {
        expect(await repo.getManifest(ORG_A)).toBeNull();
        await repo.markManifestDirty(ORG_A);
        expect(await repo.getManifest(ORG_A)).toBeNull();
      });

      it('round-trips entries with unicode, spaces, tabs and newlines in paths, clean after save', async () => {
        const map = new Map<string, ManifestEntry>([
          ['README.md', { sha: 'e'.repeat(40), size: 0, mode: '100644' }],
          ['bin/run me.sh', { sha: 'f'.repeat(40), size: 12, mode: '100755' }],
          ['données/été ☃ 😀.ps1', { sha: '0'.repeat(40), size: 3_000_000_000, mode: '100644' }],
          ['中文/脚本.py', { sha: '1'.repeat(40), size: 7, mode: '100644' }],
          ['odd/tab\there/new\nline', { sha: '2'.repeat(40), size: 1, mode: '100644' }],
          ['link', { sha: '3'.repeat(40), size: 9, mode: '120000' }],
          ['vendor/lib', { sha: '4'.repeat(40), size: 0, mode: '160000' }],
        ]);
        await repo.saveManifest({ scope: ORG_A, commitSha: '9'.repeat(40), entries: map });
        const read = await repo.getManifest(ORG_A);
        expect(read).toStrictEqual({ scope: ORG_A, commitSha: '9'.repeat(40), entries: map, dirty: false });
      });

      it('round-trips an empty manifest', async () => {
        await repo.saveManifest({ scope: ORG_A, commitSha: '9'.repeat(40), entries: new Map() });
        expect((await repo.getManifest(ORG_A))?.entries.size).toBe(0);
      });

      it('round-trips a 10,000-entry manifest', async () => {
        const map = entries(10_000);
        const started = performance.now();
        await repo.saveManifest({ scope: ORG_A, commitSha: '8'.repeat(40), entries: map });
        const saved = performance.now();
        const read = await repo.getManifest(ORG_A);
        const loaded = performance.now();
        console.info(
          `[${name}] 10,000-entry manifest: save ${(saved - started).toFixed(0)} ms, load ${(loaded - saved).toFixed(0)} ms`,
        );
        expect(read?.entries).toEqual(map);
        expect(read?.commitSha).toBe('8'.repeat(40));
      });

      it('sets the dirty flag without touching entries, and a save clears it', async () => {
        const map = entries(20);
        await repo.saveManifest({ scope: ORG_A, commitSha: '7'.repeat(40), entries: map });
        await repo.markManifestDirty(ORG_A);
        await repo.markManifestDirty(ORG_A);
        expect(await repo.getManifest(ORG_A)).toStrictEqual({ scope: ORG_A, commitSha: '7'.repeat(40), entries: map, dirty: true });
        const next = entries(5, { seed: 2 });
        await repo.saveManifest({ scope: ORG_A, commitSha: '6'.repeat(40), entries: next });
        expect(await repo.getManifest(ORG_A)).toStrictEqual({ scope: ORG_A, commitSha: '6'.repeat(40), entries: next, dirty: false });
      });

      it('replaces a big manifest by a small one without leftovers, scope by scope', async () => {
        // Random paths compress poorly: this one spans several storage rows in the Tables adapter.
        const big = entries(25_000, { randomPaths: true });
        await repo.saveManifest({ scope: ORG_A, commitSha: '5'.repeat(40), entries: big });
        await repo.saveManifest({ scope: ORG_B, commitSha: '4'.repeat(40), entries: entries(3, { seed: 9 }) });
        expect((await repo.getManifest(ORG_A))?.entries).toEqual(big);

        const small = entries(10, { seed: 3 });
        await repo.saveManifest({ scope: ORG_A, commitSha: '3'.repeat(40), entries: small });
        expect(await repo.getManifest(ORG_A)).toStrictEqual({ scope: ORG_A, commitSha: '3'.repeat(40), entries: small, dirty: false });
        expect((await repo.getManifest(ORG_B))?.entries).toEqual(entries(3, { seed: 9 }));

        await repo.saveManifest({ scope: ORG_A, commitSha: '2'.repeat(40), entries: big });
        expect((await repo.getManifest(ORG_A))?.entries).toEqual(big);
      });

      it('deletes a manifest, and a later save starts afresh', async () => {
        await repo.saveManifest({ scope: ORG_A, commitSha: '1'.repeat(40), entries: entries(100) });
        await repo.deleteManifest(ORG_A);
        await repo.deleteManifest(ORG_A);
        expect(await repo.getManifest(ORG_A)).toBeNull();
        await repo.saveManifest({ scope: ORG_A, commitSha: '0'.repeat(40), entries: entries(2, { seed: 5 }) });
        expect(await repo.getManifest(ORG_A)).toStrictEqual({
          scope: ORG_A,
          commitSha: '0'.repeat(40),
          entries: entries(2, { seed: 5 }),
          dirty: false,
        });
      });
    });

    describe('leases', () => {
      const TTL = 60_000;

      it('takes a free lease', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(lease).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(TTL) });
        expect(typeof lease.version).toBe('string');
      });

      it('answers busy without a pending mark when asked not to mark, so the holder releases at once', async () => {
        const held = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        for (let i = 1; i <= 3; i++) {
          expect(await repo.acquireLease(ORG_A, `editor-${i}`, at(i), TTL, { markPending: false })).toMatchObject({ kind: 'busy', holder: 'worker-1', firstPending: false });
        }
        expect(await repo.releaseLease(held, at(10), TTL)).toEqual({ kind: 'released' });
        acquired(await repo.acquireLease(ORG_A, 'editor-1', at(11), TTL, { markPending: false }));
      });

      it('answers busy while held: the first to ask marks it pending, later ones do not', async () => {
        acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(await repo.acquireLease(ORG_A, 'worker-2', at(1_000), TTL)).toEqual({
          kind: 'busy',
          holder: 'worker-1',
          expiresAt: at(TTL),
          firstPending: true,
        });
        expect(await repo.acquireLease(ORG_A, 'worker-3', at(2_000), TTL)).toMatchObject({ kind: 'busy', firstPending: false });
        // The holder asking again is no exception: the lease is not re-entrant.
        expect(await repo.acquireLease(ORG_A, 'worker-1', at(3_000), TTL)).toMatchObject({ kind: 'busy', firstPending: false });
      });

      it('keeps scopes independent', async () => {
        acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        acquired(await repo.acquireLease(ORG_B, 'worker-2', at(0), TTL));
      });

      it('lets another holder take an expired lease; the old holder then cannot renew', async () => {
        const old = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(await repo.acquireLease(ORG_A, 'worker-2', at(TTL - 1), TTL)).toMatchObject({ kind: 'busy' });
        const taken = acquired(await repo.acquireLease(ORG_A, 'worker-3', at(TTL), TTL));
        expect(taken.expiresAt).toEqual(at(2 * TTL));

        await expect(repo.renewLease(old, at(TTL + 1), TTL)).rejects.toBeInstanceOf(LeaseLostError);
        // The old holder's release leaves the new holder alone.
        expect(await repo.releaseLease(old, at(TTL + 2), TTL)).toEqual({ kind: 'released' });
        expect(await repo.acquireLease(ORG_A, 'worker-4', at(TTL + 3), TTL)).toMatchObject({ kind: 'busy', holder: 'worker-3' });
        // The pending mark set on the old holder's watch went with the takeover; worker-4 set a new one.
        expect(await repo.releaseLease(taken, at(TTL + 4), TTL)).toMatchObject({ kind: 'pending' });
      });

      it('an expired takeover starts without the old pending mark', async () => {
        acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(await repo.acquireLease(ORG_A, 'worker-2', at(1), TTL)).toMatchObject({ kind: 'busy', firstPending: true });
        const taken = acquired(await repo.acquireLease(ORG_A, 'worker-3', at(TTL + 1), TTL));
        expect(await repo.releaseLease(taken, at(TTL + 2), TTL)).toEqual({ kind: 'released' });
      });

      it('renews: a later expiry, a new version, and acquirers stay out until the new expiry', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        const renewed = await repo.renewLease(lease, at(TTL - 1_000), TTL);
        expect(renewed).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(2 * TTL - 1_000) });
        expect(renewed.version).not.toBe(lease.version);
        expect(await repo.acquireLease(ORG_A, 'worker-2', at(TTL + 1), TTL)).toMatchObject({ kind: 'busy', holder: 'worker-1' });
        const again = await repo.renewLease(renewed, at(TTL + 2), TTL);
        expect(again.expiresAt).toEqual(at(2 * TTL + 2));
      });

      it('renewing keeps a pending mark, so the release still reports it', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        await repo.acquireLease(ORG_A, 'worker-2', at(1), TTL);
        const renewed = await repo.renewLease(lease, at(2), TTL);
        expect(await repo.releaseLease(renewed, at(3), TTL)).toMatchObject({ kind: 'pending' });
      });

      it('renewing a lease that was released and retaken fails with LeaseLostError', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(await repo.releaseLease(lease, at(1), TTL)).toEqual({ kind: 'released' });
        await expect(repo.renewLease(lease, at(2), TTL)).rejects.toBeInstanceOf(LeaseLostError);
        acquired(await repo.acquireLease(ORG_A, 'worker-2', at(3), TTL));
        await expect(repo.renewLease(lease, at(4), TTL)).rejects.toBeInstanceOf(LeaseLostError);
      });

      it('releases a lease nobody asked for, freeing it at once', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        expect(await repo.releaseLease(lease, at(1_000), TTL)).toEqual({ kind: 'released' });
        expect(acquired(await repo.acquireLease(ORG_A, 'worker-2', at(1_001), TTL)).holder).toBe('worker-2');
      });

      it('on release with a pending mark, clears it and keeps the lease extended', async () => {
        const lease = acquired(await repo.acquireLease(ORG_A, 'worker-1', at(0), TTL));
        await repo.acquireLease(ORG_A, 'worker-2', at(1_000), TTL);
        const release = await repo.releaseLease(lease, at(30_000), TTL);
        if (release.kind !== 'pending') throw new Error('expected a pending release');
        expect(release.lease).toMatchObject({ scope: ORG_A, holder: 'worker-1', expiresAt: at(30_000 + TTL) });
        // Still held, and the mark is fresh: the next trigger is again the first to mark it.
        expect(await repo.acquireLease(ORG_A, 'worker-3', at(TTL + 1), TTL)).toMatchObject({ kind: 'busy', firstPending: true });
        const second = await repo.releaseLease(release.lease, at(40_000), TTL);
        expect(second.kind).toBe('pending');
        if (second.kind !== 'pending') return;
        expect(await repo.releaseLease(second.lease, at(50_000), TTL)).toEqual({ kind: 'released' });
      });

      it('with 10 concurrent acquirers exactly one wins and exactly one marks it pending', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => repo.acquireLease(ORG_A, `worker-${i}`, at(0), TTL)),
        );
        const winners = results.filter((r) => r.kind === 'acquired');
        expect(winners).toHaveLength(1);
        const busy = results.filter((r) => r.kind === 'busy');
        expect(busy).toHaveLength(9);
        expect(busy.filter((r) => r.firstPending)).toHaveLength(1);
        const winner = winners[0]?.kind === 'acquired' ? winners[0].lease : undefined;
        for (const r of busy) expect(r.holder).toBe(winner?.holder);
        expect(await repo.releaseLease(winner as ScopeLease, at(1), TTL)).toMatchObject({ kind: 'pending' });
      });

      it('with concurrent acquirers on an expired lease exactly one takes it over', async () => {
        acquired(await repo.acquireLease(ORG_A, 'stale', at(0), TTL));
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => repo.acquireLease(ORG_A, `worker-${i}`, at(TTL + 5), TTL)),
        );
        expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'busy' && r.firstPending)).toHaveLength(1);
      });
    });

    describe('deliveries', () => {
      it('records a delivery once per scope; a redelivery answers false', async () => {
        expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
        expect(await repo.recordDelivery('d-1', ORG_A, at(1_000))).toBe(false);
        expect(await repo.recordDelivery('d-2', ORG_A, at(3_000))).toBe(true);
        expect(await repo.recordDelivery('72d3162e-cc78-11e3-81ab-4c9367dc0958', ORG_A, at(3_000))).toBe(true);
      });

      it('records the same delivery id for each scope it reaches (GitHub shares it between the hooks of one event)', async () => {
        expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
        expect(await repo.recordDelivery('d-1', ORG_B, at(0))).toBe(true);
        expect(await repo.recordDelivery('d-1', GLOBAL_SCOPE, at(0))).toBe(true);
        expect(await repo.recordDelivery('d-1', ORG_B, at(1_000))).toBe(false);
      });

      it('with 10 concurrent duplicates exactly one records it', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => repo.recordDelivery('dup', ORG_A, at(0))));
        expect(results.filter((recorded) => recorded)).toHaveLength(1);
      });

      it("forgets one scope's delivery so its redelivery is accepted; forgetting an unknown one is harmless", async () => {
        expect(await repo.recordDelivery('d-1', ORG_A, at(0))).toBe(true);
        expect(await repo.recordDelivery('d-1', ORG_B, at(0))).toBe(true);
        await repo.forgetDelivery('d-1', ORG_A);
        await repo.forgetDelivery('never-seen', ORG_A);
        expect(await repo.recordDelivery('d-1', ORG_A, at(1))).toBe(true);
        expect(await repo.recordDelivery('d-1', ORG_A, at(2))).toBe(false);
        expect(await repo.recordDelivery('d-1', ORG_B, at(2))).toBe(false);
      });
    });

    describe('retention', () => {
      const DAY = 86_400_000;
      const ids = async (scope?: Scope) => (await repo.listRuns({ limit: 100, ...(scope === undefined ? {} : { scope }) })).runs.map((r) => r.id);

      it('deletes runs started before the cutoff in batches, keeping the newest of each scope whatever their age', async () => {
        // 40 old runs in org-a (more than one batch), one old run in org-b, two recent runs in org-a.
        for (let i = 0; i < 40; i += 1) await repo.saveRun(run(`old-a-${String(i).padStart(2, '0')}`, { startedAt: at(-100 * DAY + i * 1_000) }));
        await repo.saveRun(run('old-b', { scope: ORG_B, startedAt: at(-200 * DAY) }));
        await repo.saveRun(run('new-a-1', { startedAt: at(-DAY) }));
        await repo.saveRun(run('new-a-2', { startedAt: at(0) }));

        // Keeping 3 per scope: org-a keeps its two recent runs and the newest old one; org-b keeps its only run.
        expect(await repo.deleteRunsBefore(at(-90 * DAY), { keepNewestPerScope: 3 })).toBe(39);
        expect(await ids(ORG_A)).toEqual(['new-a-2', 'new-a-1', 'old-a-39']);
        expect(await ids(ORG_B)).toEqual(['old-b']);
        expect(await ids()).toEqual(['new-a-2', 'new-a-1', 'old-a-39', 'old-b']);
        expect(await repo.getRun('old-a-00')).toBeNull();
        expect(await repo.getRun('old-a-39')).not.toBeNull();

        // Nothing left to delete: a second pass is harmless.
        expect(await repo.deleteRunsBefore(at(-90 * DAY), { keepNewestPerScope: 3 })).toBe(0);
        expect(await repo.deleteRunsBefore(at(-90 * DAY), { keepNewestPerScope: 0 })).toBe(2);
        expect(await ids()).toEqual(['new-a-2', 'new-a-1']);
      });

      it('deletes deliveries and dead-letter decisions recorded before the cutoff; their redeliveries are then new', async () => {
        expect(await repo.recordDelivery('old', ORG_A, at(-40 * DAY))).toBe(true);
        expect(await repo.recordDelivery('old', ORG_B, at(-40 * DAY))).toBe(true);
        expect(await repo.recordDelivery('recent', ORG_A, at(-DAY))).toBe(true);
        await repo.recordDeadLetterDecision('old-message', { reason: 'NotFound', description: 'gone', at: at(-40 * DAY) });
        await repo.recordDeadLetterDecision('recent-message', { reason: 'NotFound', description: 'gone', at: at(-DAY) });

        expect(await repo.deleteDeliveriesBefore(at(-30 * DAY))).toBe(3);
        expect(await repo.recordDelivery('recent', ORG_A, at(0))).toBe(false);
        expect(await repo.getDeadLetterDecision('recent-message')).not.toBeNull();
        expect(await repo.getDeadLetterDecision('old-message')).toBeNull();
        expect(await repo.recordDelivery('old', ORG_B, at(0))).toBe(true);
        expect(await repo.deleteDeliveriesBefore(at(-30 * DAY))).toBe(0);
      });
    });

    describe('dead-letter decisions', () => {
      const longId = 'f'.repeat(64);

      it('answers null for a message without one, then the recorded decision', async () => {
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1')).toBeNull();
        await repo.recordDeadLetterDecision('GLOBAL:d-1', { reason: 'Unauthorized', description: 'Unauthorized: token revoked', at: at(0) });
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1')).toEqual({ reason: 'Unauthorized', description: 'Unauthorized: token revoked', at: at(0) });
        expect(await repo.getDeadLetterDecision('GLOBAL:d-1:attempt-2')).toBeNull();
      });

      it('keeps decisions apart from deliveries of the same id, and a later decision replaces an earlier one', async () => {
        expect(await repo.recordDelivery(longId, ORG_A, at(0))).toBe(true);
        await repo.recordDeadLetterDecision(longId, { reason: 'NotFound', description: 'first', at: at(0) });
        await repo.recordDeadLetterDecision(longId, { reason: 'SyncRetriesExhausted', description: 'x'.repeat(5_000), at: at(1_000) });
        const decision = await repo.getDeadLetterDecision(longId);
        expect(decision).toMatchObject({ reason: 'SyncRetriesExhausted', at: at(1_000) });
        expect(decision!.description.length).toBeGreaterThanOrEqual(4_096);
        expect(await repo.recordDelivery(longId, ORG_A, at(0))).toBe(false);
      });
    });
  });
}

/** For adapter-specific tests that want the same fixtures. */
export const metadataFixtures = { fullConnection, minimalConnection, finishedRun, run, entries, at } as const;
