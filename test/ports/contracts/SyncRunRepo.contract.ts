import { beforeEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { SyncRun, SyncRunStatus } from '../../../src/domain/sync/SyncRun';
import { Fault } from '../../../src/ports/Fault';
import type { SyncRunRepo } from '../../../src/ports/SyncRunRepo';
import { InvalidContinuationTokenError } from '../../../src/ports/SyncRunRepo';
import { at, finishedRun, freshStorePerTest, ORG_A, ORG_B, type RepoFactory, run } from './MetadataRepo.fixtures';

/** The SyncRunRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeSyncRunRepoContract(name: string, makeAdapter: RepoFactory<SyncRunRepo>): void {
  describe(`SyncRunRepo contract: ${name}`, () => {
    let repo: SyncRunRepo;
    freshStorePerTest(makeAdapter, (adapter) => {
      repo = adapter;
    });

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
        for (const index of [
          7, 0, 24, 13, 3, 18, 12, 1, 22, 9, 15, 5, 11, 20, 2, 16, 8, 23, 4, 14, 19, 6, 21, 10, 17,
        ]) {
          await repo.saveRun(all[index] as SyncRun);
        }
      });

      async function collect(query: { scope?: Scope; status?: SyncRunStatus; limit: number }) {
        const ids: string[] = [];
        const pageSizes: number[] = [];
        let continuationToken: string | undefined;
        for (let pages = 0; pages < 30; pages += 1) {
          const page = await repo.listRuns({
            ...query,
            ...(continuationToken === undefined ? {} : { continuationToken }),
          });
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
      });

      it('refuses a continuation token it did not give out with InvalidContinuationTokenError, not retryable', async () => {
        const forged = Buffer.from(JSON.stringify({ v: 2, after: 'x' }), 'utf8').toString('base64url');
        for (const continuationToken of ['not-a-token', forged, '%%%']) {
          const refused = await repo.listRuns({ limit: 10, continuationToken }).catch((error: unknown) => error);
          expect(refused).toBeInstanceOf(InvalidContinuationTokenError);
          expect(refused).toBeInstanceOf(Fault);
          expect(refused).toMatchObject({ code: 'InvalidContinuationToken', retryable: false });
        }
      });
    });

    it('keeps ids with unusual characters apart', async () => {
      const ids = ['a/b', 'a#b', 'a?b', 'a\\b', 'a|b', 'ünï-☃', 'a b'];
      for (const [index, id] of ids.entries()) await repo.saveRun(run(id, { startedAt: at(index) }));
      for (const id of ids) expect((await repo.getRun(id))?.id).toBe(id);
      expect((await repo.listRuns({ limit: 100 })).runs.map((r) => r.id)).toEqual([...ids].reverse());
    });

    it('stores a run with thousands of skipped entries, keeping a prefix of the list and all counts', async () => {
      const skipped = Array.from({ length: 5_000 }, (_, i) => ({
        path: `very/long/path/number/${i}/${'x'.repeat(60)}`,
        reason: 'symlink',
      }));
      const big = run('big', {
        skipped,
        lfsPointers: skipped.map((s) => s.path),
        counts: { ...run('big').counts, skipped: 5_000 },
      });
      await repo.saveRun(big);
      const read = await repo.getRun('big');
      expect(read?.counts.skipped).toBe(5_000);
      expect(read?.skipped.length).toBeGreaterThan(0);
      expect(read?.skipped).toEqual(skipped.slice(0, read?.skipped.length));
      expect(read?.lfsPointers).toEqual(big.lfsPointers.slice(0, read?.lfsPointers.length));
      expect((await repo.listRuns({ limit: 1 })).runs[0]?.id).toBe('big');
    });

    describe('retention', () => {
      const DAY = 86_400_000;
      const ids = async (scope?: Scope) =>
        (await repo.listRuns({ limit: 100, ...(scope === undefined ? {} : { scope }) })).runs.map((r) => r.id);

      it('deletes runs started before the cutoff in batches, keeping the newest of each scope whatever their age', async () => {
        // 40 old runs in org-a (more than one batch), one old run in org-b, two recent runs in org-a.
        for (let i = 0; i < 40; i += 1)
          await repo.saveRun(run(`old-a-${String(i).padStart(2, '0')}`, { startedAt: at(-100 * DAY + i * 1_000) }));
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
    });
  });
}
