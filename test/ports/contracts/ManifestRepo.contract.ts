import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../src/domain/sync/Manifest';
import type { TreeState } from '../../../src/domain/sync/TreeState';
import type { ManifestRepo } from '../../../src/ports/ManifestRepo';
import { entries, freshStorePerTest, ORG_A, ORG_B, type RepoFactory } from './MetadataRepo.fixtures';

/** The ManifestRepo contract every adapter must pass (in-memory and Azure Tables alike). */
export function describeManifestRepoContract(name: string, makeAdapter: RepoFactory<ManifestRepo>): void {
  describe(`ManifestRepo contract: ${name}`, () => {
    let repo: ManifestRepo;
    freshStorePerTest(makeAdapter, (adapter) => {
      repo = adapter;
    });

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

    it('keeps the tree state beside the manifest, and a save without one drops it', async () => {
      const map = entries(50);
      const tree: TreeState = {
        treeSha: 'a'.repeat(40),
        folders: new Map([
          ['src', 'b'.repeat(40)],
          ['src/tab\there', 'c'.repeat(40)],
        ]),
        others: [
          { path: 'link', mode: '120000', type: 'blob', sha: 'd'.repeat(40), size: 4 },
          { path: 'vendor/lib', mode: '160000', type: 'commit', sha: 'e'.repeat(40) },
        ],
        respelt: ['caf\u00e9.ps1'],
      };
      await repo.saveManifest({ scope: ORG_A, commitSha: '9'.repeat(40), entries: map, tree });
      expect(await repo.getManifest(ORG_A)).toStrictEqual({
        scope: ORG_A,
        commitSha: '9'.repeat(40),
        entries: map,
        dirty: false,
        tree,
      });
      await repo.markManifestDirty(ORG_A);
      expect((await repo.getManifest(ORG_A))?.tree).toStrictEqual(tree);
      await repo.saveManifest({ scope: ORG_A, commitSha: '8'.repeat(40), entries: map });
      expect(await repo.getManifest(ORG_A)).not.toHaveProperty('tree');
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
      expect(await repo.getManifest(ORG_A)).toStrictEqual({
        scope: ORG_A,
        commitSha: '7'.repeat(40),
        entries: map,
        dirty: true,
      });
      const next = entries(5, { seed: 2 });
      await repo.saveManifest({ scope: ORG_A, commitSha: '6'.repeat(40), entries: next });
      expect(await repo.getManifest(ORG_A)).toStrictEqual({
        scope: ORG_A,
        commitSha: '6'.repeat(40),
        entries: next,
        dirty: false,
      });
    });

    it('replaces a big manifest by a small one without leftovers, scope by scope', async () => {
      // Random paths compress poorly: this one spans several storage rows in the Tables adapter.
      const big = entries(25_000, { randomPaths: true });
      await repo.saveManifest({ scope: ORG_A, commitSha: '5'.repeat(40), entries: big });
      await repo.saveManifest({ scope: ORG_B, commitSha: '4'.repeat(40), entries: entries(3, { seed: 9 }) });
      expect((await repo.getManifest(ORG_A))?.entries).toEqual(big);

      const small = entries(10, { seed: 3 });
      await repo.saveManifest({ scope: ORG_A, commitSha: '3'.repeat(40), entries: small });
      expect(await repo.getManifest(ORG_A)).toStrictEqual({
        scope: ORG_A,
        commitSha: '3'.repeat(40),
        entries: small,
        dirty: false,
      });
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
}
