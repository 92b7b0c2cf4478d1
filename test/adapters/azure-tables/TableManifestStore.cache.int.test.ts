import { TableClient } from '@azure/data-tables';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TableManifestStore } from '../../../src/adapters/azure-tables/TableManifestStore';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { ManifestEntry } from '../../../src/domain/sync/Manifest';
import type { TreeState } from '../../../src/domain/sync/TreeState';
import { metadataFixtures } from '../../ports/contracts/MetadataRepo.fixtures';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';

// The in-process cache of decoded manifests: a long-lived store answers from it while the header
// keeps the generation it cached, and must still see every change another instance makes.

const azurite = useAzurite();
const ORG = 'org-cache' as Scope;
const OTHER = 'org-other' as Scope;
const sha = (char: string) => char.repeat(40);
const tree: TreeState = {
  treeSha: sha('a'),
  folders: new Map([['src', sha('b')]]),
  others: [{ path: 'link', mode: '120000', type: 'blob', sha: sha('d'), size: 4 }],
  respelt: [],
};

let table: TableClient;
let cached: TableManifestStore;
let other: TableManifestStore;

beforeEach(async () => {
  const client = () =>
    TableClient.fromConnectionString(azurite.connectionString, `${uniqueTablePrefix()}Manifests`, {
      allowInsecureConnection: true,
    });
  table = client();
  await table.createTable();
  // Two stores on one table, as two processes would be: each has its own cache.
  cached = new TableManifestStore(table);
  other = new TableManifestStore(
    TableClient.fromConnectionString(azurite.connectionString, table.tableName, { allowInsecureConnection: true }),
  );
});

afterEach(async () => {
  vi.restoreAllMocks();
  await table.deleteTable();
});

describe('TableManifestStore cache', () => {
  it('answers a second read from the cache with a manifest equal to the stored one, reading only the header', async () => {
    const entries = metadataFixtures.entries(300);
    await other.save({ scope: ORG, commitSha: sha('1'), entries, tree });
    const first = await cached.get(ORG);
    const query = vi.spyOn(table, 'listEntities');
    const second = await cached.get(ORG);
    expect(query).not.toHaveBeenCalled();
    expect(second).toStrictEqual(first);
    expect(second).toStrictEqual(await other.get(ORG));
    expect(second).toStrictEqual({ scope: ORG, commitSha: sha('1'), entries, dirty: false, tree });
  });

  it('serves its own save from the cache, and keeps it as saved whatever the caller does to its objects', async () => {
    const entries = new Map(metadataFixtures.entries(20));
    const saved = new Map(entries);
    await cached.save({ scope: ORG, commitSha: sha('1'), entries, tree });
    entries.clear(); // the caller reuses its map after the save
    const read = await cached.get(ORG);
    if (read?.tree === undefined) throw new Error('expected the manifest with its tree state');
    expect(read.entries).toStrictEqual(saved);
    // A reader that changes what it was given changes its own copy only.
    const mutable = read.entries as Map<string, ManifestEntry>;
    mutable.delete([...saved.keys()][0]!);
    mutable.set('added.ps1', { sha: sha('f'), size: 1, mode: '100644' });
    (read.tree.folders as Map<string, string>).clear();
    expect(() => {
      (mutable.get([...saved.keys()][1]!) as { size: number }).size = 99;
    }).toThrow(TypeError);
    const again = await cached.get(ORG);
    expect(again).toStrictEqual({ scope: ORG, commitSha: sha('1'), entries: saved, dirty: false, tree });
    expect(again).toStrictEqual(await other.get(ORG));
  });

  it('shares the entries a caller froze (as the planners make them) and keeps a frozen copy of the others', async () => {
    const frozen: ManifestEntry = Object.freeze({ sha: sha('1'), size: 1, mode: '100644' });
    const mutable: ManifestEntry = { sha: sha('2'), size: 2, mode: '100755' };
    await cached.save({
      scope: ORG,
      commitSha: sha('1'),
      entries: new Map([
        ['a.ps1', frozen],
        ['b.ps1', mutable],
      ]),
    });
    const read = await cached.get(ORG);
    expect(read?.entries.get('a.ps1')).toBe(frozen);
    expect(read?.entries.get('b.ps1')).not.toBe(mutable);
    expect(read?.entries.get('b.ps1')).toStrictEqual(mutable);
    expect(Object.isFrozen(read?.entries.get('b.ps1'))).toBe(true);
    // What the other instance decodes is frozen too, so its cache shares it as well.
    expect(Object.isFrozen((await other.get(ORG))?.entries.get('b.ps1'))).toBe(true);
  });

  it("sees another instance's save", async () => {
    await cached.save({ scope: ORG, commitSha: sha('1'), entries: metadataFixtures.entries(10), tree });
    await cached.get(ORG);
    const entries = metadataFixtures.entries(40);
    await other.save({ scope: ORG, commitSha: sha('2'), entries });
    expect(await cached.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('2'), entries, dirty: false });
  });

  it("sees another instance's delete, and a save after it", async () => {
    await cached.save({ scope: ORG, commitSha: sha('1'), entries: metadataFixtures.entries(10) });
    await cached.get(ORG);
    await other.delete(ORG);
    expect(await cached.get(ORG)).toBeNull();
    const entries = metadataFixtures.entries(5);
    await other.save({ scope: ORG, commitSha: sha('3'), entries });
    expect(await cached.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('3'), entries, dirty: false });
    // And this store saves over it afterwards, with the header's ETag from its header read.
    await cached.save({ scope: ORG, commitSha: sha('4'), entries });
    expect(await other.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('4'), entries, dirty: false });
  });

  it("sees another instance's markDirty, and its own save clears it", async () => {
    const entries = metadataFixtures.entries(10);
    await cached.save({ scope: ORG, commitSha: sha('1'), entries, tree });
    expect((await cached.get(ORG))?.dirty).toBe(false);
    await other.markDirty(ORG);
    expect(await cached.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('1'), entries, dirty: true, tree });
    await cached.markDirty(ORG);
    expect((await cached.get(ORG))?.dirty).toBe(true);
    await cached.save({ scope: ORG, commitSha: sha('2'), entries });
    expect(await cached.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('2'), entries, dirty: false });
    expect(await other.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('2'), entries, dirty: false });
  });

  it('never answers with a manifest older than the stored one, whoever saved last', async () => {
    await cached.save({ scope: OTHER, commitSha: sha('0'), entries: metadataFixtures.entries(3) });
    for (let round = 0; round < 12; round += 1) {
      const writer = round % 3 === 0 ? cached : other;
      const entries = metadataFixtures.entries(5 + round);
      const commitSha = round.toString(16).repeat(40);
      await writer.save({ scope: ORG, commitSha, entries, ...(round % 2 === 0 ? { tree } : {}) });
      const stored = await new TableManifestStore(table).get(ORG);
      expect(stored?.commitSha).toBe(commitSha);
      expect(await cached.get(ORG)).toStrictEqual(stored);
      expect(await cached.get(ORG)).toStrictEqual(stored);
    }
    // Scopes stay apart.
    expect((await cached.get(OTHER))?.commitSha).toBe(sha('0'));
  });

  it('keeps working for more scopes than it caches', async () => {
    const scopes = Array.from({ length: 11 }, (_, index) => `org-${index}` as Scope);
    for (const [index, scope] of scopes.entries()) {
      await cached.save({ scope, commitSha: sha(index.toString(16)), entries: metadataFixtures.entries(index + 1) });
    }
    for (const [index, scope] of scopes.entries()) {
      const read = await cached.get(scope);
      expect(read?.commitSha).toBe(sha(index.toString(16)));
      expect(read?.entries).toStrictEqual(metadataFixtures.entries(index + 1));
    }
  });
});
