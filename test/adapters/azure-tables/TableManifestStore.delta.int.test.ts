import { TableClient, type TableEntityResult } from '@azure/data-tables';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableManifestStore } from '../../../src/adapters/azure-tables/TableManifestStore';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { ManifestEntry } from '../../../src/domain/sync/Manifest';
import type { TreeState } from '../../../src/domain/sync/TreeState';
import { metadataFixtures } from '../../ports/contracts/MetadataRepo.fixtures';
import { uniqueTablePrefix, useAzurite } from '../../support/azurite';

// Saves as deltas on the last full save (issue #10): what a sync of a few files writes, and what
// every reader, in this process or another, must still read as the whole manifest.

const azurite = useAzurite();
const ORG = 'org-delta' as Scope;
const sha = (char: string) => char.repeat(40);
const treeAt = (treeSha: string): TreeState => ({
  treeSha,
  folders: new Map([['src', sha('b')]]),
  others: [{ path: 'link', mode: '120000', type: 'blob', sha: sha('d'), size: 4 }],
  respelt: [],
});

let table: TableClient;
let writer: TableManifestStore;

beforeEach(async () => {
  table = TableClient.fromConnectionString(azurite.connectionString, `${uniqueTablePrefix()}Manifests`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  writer = new TableManifestStore(table);
});

afterEach(async () => {
  await table.deleteTable();
});

/** The partition's rows by key. */
async function rows(): Promise<Map<string, TableEntityResult<Record<string, unknown>>>> {
  const found = new Map<string, TableEntityResult<Record<string, unknown>>>();
  for await (const row of table.listEntities<Record<string, unknown>>()) found.set(row.rowKey as string, row);
  return found;
}

/** What a process that never saw this partition reads. */
const freshRead = () => new TableManifestStore(table).get(ORG);

/** `entries` with `count` entries changed, one removed and one added: what a small push does. */
function pushed(entries: ReadonlyMap<string, ManifestEntry>, round: number, count = 3): Map<string, ManifestEntry> {
  const next = new Map(entries);
  const paths = [...entries.keys()];
  for (let k = 0; k < count; k += 1) {
    const path = paths[(round * 31 + k * 97) % paths.length]!;
    next.set(path, { ...entries.get(path)!, sha: round.toString(16).padStart(2, '0').repeat(20) });
  }
  next.delete(paths[(round * 53) % paths.length]!);
  next.set(`added/round-${round}.ps1`, { sha: sha('e'), size: round, mode: '100755' });
  return next;
}

describe('TableManifestStore deltas', () => {
  it('saves a small change as one delta row and leaves the full save as it was; every reader sees the whole', async () => {
    const base = metadataFixtures.entries(2_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('1'), entries: base, tree: treeAt(sha('a')) });
    const chunksBefore = [...(await rows()).entries()].filter(([key]) => key.startsWith('chunk|'));
    await writer.get(ORG); // as a sync reads before it saves
    await writer.markDirty(ORG);
    const next = pushed(base, 1);
    await writer.save({ scope: ORG, commitSha: sha('2'), entries: next, tree: treeAt(sha('c')) });

    const after = await rows();
    expect([...after.keys()].filter((key) => key.startsWith('delta|'))).toEqual(['delta|0000']);
    // The full save's chunk rows are untouched (same ETags); the tree state's row was rewritten.
    const manifestChunk = chunksBefore[0]!;
    expect(after.get(manifestChunk[0])?.etag).toBe(manifestChunk[1].etag);
    const header = after.get('header')!;
    expect(header.DeltaRows).toBe(1);
    expect(header.BaseGeneration).not.toBe(header.Generation);

    const expected = {
      scope: ORG,
      commitSha: sha('2'),
      entries: new Map([...next].map(([path, entry]) => [path, { ...entry }])),
      dirty: false,
      tree: treeAt(sha('c')),
    };
    expect(await freshRead()).toStrictEqual(expected);
    // What this store answers from its cache is its own: the caller's later changes stay out of it.
    const [changedPath] = [...next].find(([path, entry]) => base.get(path) !== entry)!;
    (next.get(changedPath) as { size: number }).size = 1;
    next.clear();
    expect(await writer.get(ORG)).toStrictEqual(expected);
  });

  it('chains deltas, then saves the whole manifest again and removes them', async () => {
    let entries = metadataFixtures.entries(3_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('0'), entries });
    const deltaCounts: number[] = [];
    for (let round = 1; round <= 20; round += 1) {
      await writer.get(ORG);
      await writer.markDirty(ORG);
      entries = pushed(entries, round);
      const commitSha = round.toString(16).padStart(2, '0').repeat(20);
      await writer.save({ scope: ORG, commitSha, entries });
      deltaCounts.push([...(await rows()).keys()].filter((key) => key.startsWith('delta|')).length);
      expect(await freshRead()).toStrictEqual({ scope: ORG, commitSha, entries, dirty: false });
      expect(await writer.get(ORG)).toStrictEqual({ scope: ORG, commitSha, entries, dirty: false });
    }
    // Sixteen deltas at most; the seventeenth save is whole again and leaves none behind.
    expect(deltaCounts.slice(0, 17)).toEqual([...Array.from({ length: 16 }, (_, i) => i + 1), 0]);
    expect(Math.max(...deltaCounts)).toBe(16);
  });

  it('saves whole when the change is large against the full save', async () => {
    const base = metadataFixtures.entries(1_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('1'), entries: base });
    await writer.get(ORG);
    const next = new Map(metadataFixtures.entries(800, { randomPaths: true, seed: 9 }));
    await writer.save({ scope: ORG, commitSha: sha('2'), entries: next });
    expect([...(await rows()).keys()].some((key) => key.startsWith('delta|'))).toBe(false);
    expect(await freshRead()).toStrictEqual({ scope: ORG, commitSha: sha('2'), entries: next, dirty: false });
  });

  it('saves whole, never a delta on the wrong base, when another writer saved after this one read', async () => {
    const other = new TableManifestStore(table);
    const base = metadataFixtures.entries(2_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('1'), entries: base });
    await writer.get(ORG);
    // A full save by another writer: new chunk rows, of another generation.
    await other.save({ scope: ORG, commitSha: sha('2'), entries: metadataFixtures.entries(2_500, { seed: 5 }) });
    // Marked dirty here after their save: the flag lands, but this store no longer trusts what it saw.
    await writer.markDirty(ORG);
    expect((await freshRead())?.dirty).toBe(true);
    const ours = pushed(base, 8);
    await writer.save({ scope: ORG, commitSha: sha('3'), entries: ours });
    expect(await freshRead()).toStrictEqual({ scope: ORG, commitSha: sha('3'), entries: ours, dirty: false });
    expect(await other.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('3'), entries: ours, dirty: false });
  });

  it('never lets a reader see a mix while two writers save deltas and whole manifests concurrently', async () => {
    const base = metadataFixtures.entries(2_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('0'), entries: base });
    const saved = new Map<string, Map<string, ManifestEntry>>([[sha('0'), base]]);
    const writers = [writer, new TableManifestStore(table)].map(async (store, index) => {
      for (let round = 1; round <= 6; round += 1) {
        const read = await store.get(ORG);
        await store.markDirty(ORG);
        const entries = pushed(read!.entries, round * 2 + index);
        const commitSha = `${index}${round}`.repeat(20);
        saved.set(commitSha, entries);
        await store.save({ scope: ORG, commitSha, entries });
      }
    });
    let reads = 0;
    const reader = (async () => {
      const store = new TableManifestStore(table);
      for (let i = 0; i < 15; i += 1) {
        const read = await store.get(ORG);
        expect(read?.entries).toEqual(saved.get(read!.commitSha));
        reads += 1;
      }
    })();
    await Promise.all([...writers, reader]);
    expect(reads).toBe(15);
    const last = await freshRead();
    expect(last?.entries).toEqual(saved.get(last!.commitSha));
  });

  it('reads a header written before deltas existed, and saves a delta on it', async () => {
    const base = metadataFixtures.entries(2_000, { randomPaths: true });
    await writer.save({ scope: ORG, commitSha: sha('1'), entries: base });
    // As an earlier version wrote it: no BaseGeneration, DeltaRows or DeltaBytes.
    const { BaseGeneration: _, DeltaRows: __, DeltaBytes: ___, etag: ____, ...old } = (await rows()).get('header')!;
    await table.updateEntity({ ...old, partitionKey: old.partitionKey!, rowKey: old.rowKey! }, 'Replace');
    const reader = new TableManifestStore(table);
    expect(await reader.get(ORG)).toStrictEqual({ scope: ORG, commitSha: sha('1'), entries: base, dirty: false });
    const next = pushed(base, 2);
    await reader.save({ scope: ORG, commitSha: sha('2'), entries: next });
    expect((await rows()).has('delta|0000')).toBe(true);
    expect(await freshRead()).toStrictEqual({ scope: ORG, commitSha: sha('2'), entries: next, dirty: false });
  });
});
