import { createHash, randomUUID } from 'node:crypto';
import type { TableClient, TableEntity, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { Scope } from '../../domain/shared/Scope';
import type { Manifest } from '../../domain/sync/Manifest';
import { Fault } from '../../ports/Fault';
import { MetadataUnavailableError } from '../../ports/MetadataRepo';
import type { EntityProperties } from './EntityFields';
import { CorruptEntityError, EntityReader } from './EntityFields';
import { ManifestCache } from './ManifestCache';
import {
  decodeManifestEntries,
  decodeTreeState,
  encodeManifestEntries,
  encodeTreeState,
  MANIFEST_FORMAT,
  splitIntoChunks,
  TREE_STATE_FORMAT,
} from './ManifestCodec';
import { isConflict, isNotFound, isPreconditionFailed, tableCall } from './TableErrors';
import { encodeKeyPart } from './TableKeys';

// Limits of the service: 64 KiB per property, 1 MiB per entity, 100 entities and 4 MiB of request
// body per transaction, binary travelling base64-encoded (4/3 larger). Hence 60 KiB pieces, 12 per
// row (~960 KiB on the wire) and at most 45 pieces (~3.6 MiB on the wire) per manifest.
const MANIFEST_CHUNK_BYTES = 60 * 1024;
const CHUNKS_PER_ROW = 12;
const MAX_CHUNKS = 45;
const MAX_MANIFEST_PAYLOAD_BYTES = MAX_CHUNKS * MANIFEST_CHUNK_BYTES;

const HEADER_ROW = 'header';
const chunkRowKey = (index: number): string => `chunk|${index.toString().padStart(4, '0')}`;
const chunkPropertyName = (index: number): string => `C${index.toString().padStart(2, '0')}`;
const MAX_ATTEMPTS = 5;

/** The manifest does not fit in one transaction; it cannot be saved atomically. Not retryable. */
export class ManifestTooLargeError extends Fault<'ManifestTooLarge'> {
  constructor(
    readonly scope: Scope,
    readonly entryCount: number,
    readonly compressedBytes: number,
  ) {
    super(
      'ManifestTooLarge',
      `manifest of scope ${scope} is too large to store atomically: ${entryCount} entries, ` +
        `${compressedBytes} bytes compressed (limit ${MAX_MANIFEST_PAYLOAD_BYTES})`,
      { retryable: false },
    );
    this.name = 'ManifestTooLargeError';
  }
}

/**
 * One partition per scope: a `header` row (commit, dirty flag, generation, checksum) and `chunk|NNNN`
 * rows holding the compressed entries, then (after `ChunkRows` of them) the rows of the tree state
 * when there is one (`TreeRows`): a reader that knows nothing of tree states reads the manifest as
 * before. A tree state that would not fit is left out: the next sync then lists the whole tree. Header and chunks are written, and stale chunk rows deleted,
 * in one transaction, so a reader sees the old manifest or the new one. Every chunk row repeats the
 * header's generation; a reader whose paged query straddled a save notices the mix and reads again.
 */
export class TableManifestStore {
  /**
   * Per scope, the header's ETag and the row keys this store last saw (a read, then a markDirty):
   * the save that follows needs not list the partition again. The ETag makes a stale entry fail
   * the transaction (then the rows are listed), except after a markDirty, which writes
   * unconditionally: rows another writer added meanwhile may then stay behind, beyond the header's
   * counts, where no reader looks, until a save that listed them removes them.
   */
  private readonly layouts = new Map<Scope, PartitionLayout>();
  /** Manifests decoded or saved here, answered again while the header keeps their generation. */
  private readonly cache = new ManifestCache();

  constructor(private readonly table: TableClient) {}

  async get(scope: Scope): Promise<Manifest | null> {
    if (this.cache.has(scope)) {
      const cached = await this.readThroughHeader(scope);
      if (cached !== undefined) return cached;
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const rows = await this.readPartition(scope);
      const header = rows.get(HEADER_ROW);
      const layout = this.remember(scope, rows);
      if (header === undefined) {
        this.cache.forget(scope);
        return null;
      }
      const manifest = this.assemble(scope, header, rows);
      if (manifest === null) continue;
      const { dirty: _, ...stored } = manifest;
      this.cache.remember(new EntityReader(header, 'Manifests').string('Generation'), stored, layout.rowKeys);
      return manifest;
    }
    throw new CorruptEntityError('Manifests', `scope ${scope}: chunks never matched the header`);
  }

  async save(manifest: Omit<Manifest, 'dirty'>): Promise<void> {
    const payload = encodeManifestEntries(manifest.entries);
    if (payload.length > MAX_MANIFEST_PAYLOAD_BYTES) {
      throw new ManifestTooLargeError(manifest.scope, manifest.entries.size, payload.length);
    }
    const partitionKey = encodeKeyPart(manifest.scope);
    const generation = randomUUID();
    const chunks = splitIntoChunks(payload, MANIFEST_CHUNK_BYTES);
    const chunkRows = toChunkRows(chunks, partitionKey, generation, 0);
    const treePayload = manifest.tree ? encodeTreeState(manifest.tree) : undefined;
    const treeChunks = treePayload ? splitIntoChunks(treePayload, MANIFEST_CHUNK_BYTES) : [];
    const withTree = treePayload !== undefined && chunks.length + treeChunks.length <= MAX_CHUNKS;
    const treeRows = withTree ? toChunkRows(treeChunks, partitionKey, generation, chunkRows.length) : [];
    const header: TableEntity = {
      partitionKey,
      rowKey: HEADER_ROW,
      Scope: manifest.scope,
      CommitSha: manifest.commitSha,
      Dirty: false,
      Generation: generation,
      Format: MANIFEST_FORMAT,
      EntryCount: manifest.entries.size,
      PayloadBytes: payload.length,
      PayloadSha256: createHash('sha256').update(payload).digest('hex'),
      ChunkRows: chunkRows.length,
      ...(withTree
        ? {
            TreeFormat: TREE_STATE_FORMAT,
            TreeRows: treeRows.length,
            TreePayloadBytes: treePayload.length,
            TreePayloadSha256: createHash('sha256').update(treePayload).digest('hex'),
          }
        : {}),
    };

    const scope = manifest.scope;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Which rows exist now (stale chunks of a bigger manifest, orphans of a racing delete) and
      // the header's ETag, which makes the transaction fail if anyone wrote meanwhile: as last
      // seen on the first attempt, else listed (keys only).
      const known = attempt === 1 ? this.layouts.get(scope) : undefined;
      this.layouts.delete(scope);
      const existing = known ?? layoutOf(await this.readPartition(scope, ['RowKey']));
      const rows = [...chunkRows, ...treeRows];
      const written = new Set(rows.map((row) => row.rowKey));
      const actions: TransactionAction[] = [
        existing.etag === undefined ? ['create', header] : ['update', header, 'Replace', { etag: existing.etag }],
        ...rows.map((row): TransactionAction => ['upsert', row, 'Replace']),
        ...[...existing.rowKeys]
          .filter((rowKey) => !written.has(rowKey))
          .map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
      ];
      if (actions.length > 100) throw new ManifestTooLargeError(scope, manifest.entries.size, payload.length);
      try {
        await tableCall('saveManifest', () => this.table.submitTransaction(actions));
        // What a reader would decode: the tree state only if it was stored.
        const { commitSha, entries } = manifest;
        this.cache.remember(generation, withTree ? manifest : { scope, commitSha, entries }, written);
        return;
      } catch (error) {
        // 409: someone created the header first; 412: someone changed it; 404: a row we meant to
        // delete is already gone. All mean "a concurrent writer" (or a stale layout): look again.
        if (!isConflict(error) && !isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    throw new MetadataUnavailableError(`saveManifest: scope ${manifest.scope} kept changing under concurrent writers`);
  }

  async markDirty(scope: Scope): Promise<void> {
    const known = this.layouts.get(scope);
    this.layouts.delete(scope);
    try {
      const { etag } = await tableCall('markManifestDirty', () =>
        this.table.updateEntity({ partitionKey: encodeKeyPart(scope), rowKey: HEADER_ROW, Dirty: true }, 'Merge'),
      );
      if (known?.etag !== undefined && etag !== undefined) this.layouts.set(scope, { ...known, etag });
    } catch (error) {
      if (!isNotFound(error)) throw error; // no manifest: nothing to distrust
    }
  }

  async delete(scope: Scope): Promise<void> {
    this.layouts.delete(scope);
    this.cache.forget(scope);
    const partitionKey = encodeKeyPart(scope);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const rowKeys = [...(await this.readPartition(scope, ['RowKey'])).keys()];
      if (rowKeys.length === 0) return;
      // The header goes first (on its own if there are too many rows): once it is gone the manifest
      // is gone for readers, and a later save removes any rows left behind.
      const chunkKeys = rowKeys.filter((rowKey) => rowKey !== HEADER_ROW);
      const batch = (rowKeys.includes(HEADER_ROW) ? [HEADER_ROW, ...chunkKeys] : chunkKeys).slice(0, 100);
      try {
        await tableCall('deleteManifest', () =>
          this.table.submitTransaction(batch.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }])),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    throw new MetadataUnavailableError(`deleteManifest: scope ${scope} kept changing under concurrent writers`);
  }

  /**
   * The warm path: one point read of the header. Its generation names the chunks, so a cached
   * manifest of that generation is the stored one (a save always writes a new generation; markDirty
   * keeps it and changes only the flag, taken from the header). Undefined: not cached, read it all.
   */
  private async readThroughHeader(scope: Scope): Promise<Manifest | null | undefined> {
    let header: TableEntityResult<Record<string, unknown>>;
    try {
      header = await tableCall('readManifestHeader', () =>
        this.table.getEntity<Record<string, unknown>>(encodeKeyPart(scope), HEADER_ROW),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.cache.forget(scope); // deleted by someone: no manifest, and the rows a save must list
      this.layouts.delete(scope);
      return null;
    }
    const read = new EntityReader(header, 'Manifests');
    const hit = this.cache.hit(scope, read.string('Generation'), read.boolean('Dirty'));
    if (hit === null || header.etag === undefined) return undefined;
    this.layouts.set(scope, { etag: header.etag, rowKeys: hit.rowKeys });
    return hit.manifest;
  }

  private async readPartition(
    scope: Scope,
    select?: string[],
  ): Promise<Map<string, TableEntityResult<Record<string, unknown>>>> {
    const partitionKey = encodeKeyPart(scope);
    return tableCall('readManifest', async () => {
      const rows = new Map<string, TableEntityResult<Record<string, unknown>>>();
      const query = { filter: odata`PartitionKey eq ${partitionKey}`, ...(select === undefined ? {} : { select }) };
      for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: query })) {
        rows.set(entity.rowKey as string, entity);
      }
      return rows;
    });
  }

  private remember(
    scope: Scope,
    rows: ReadonlyMap<string, TableEntityResult<Record<string, unknown>>>,
  ): PartitionLayout {
    const layout = layoutOf(rows);
    if (layout.etag === undefined) this.layouts.delete(scope);
    else this.layouts.set(scope, layout);
    return layout;
  }

  /** The manifest, or null when the chunk rows do not belong to this header (a save was in between). */
  private assemble(
    scope: Scope,
    header: EntityProperties,
    rows: ReadonlyMap<string, EntityProperties>,
  ): Manifest | null {
    const read = new EntityReader(header, 'Manifests');
    const format = read.string('Format');
    if (format !== MANIFEST_FORMAT) throw new CorruptEntityError('Manifests', `unknown format '${format}'`);
    const generation = read.string('Generation');
    const chunkRows = read.number('ChunkRows');
    const payload = readPayload(rows, generation, 0, chunkRows);
    if (payload === null) return null;
    checkPayload(payload, read.number('PayloadBytes'), read.string('PayloadSha256'), `scope ${scope}`);
    const entries = decodeManifestEntries(payload);
    if (entries.size !== read.number('EntryCount'))
      throw new CorruptEntityError('Manifests', `scope ${scope}: entry count mismatch`);
    const manifest = { scope, commitSha: read.string('CommitSha'), entries, dirty: read.boolean('Dirty') };
    if (read.optionalString('TreeFormat') !== TREE_STATE_FORMAT) return manifest; // none, or one we cannot read
    const treePayload = readPayload(rows, generation, chunkRows, read.number('TreeRows'));
    if (treePayload === null) return null;
    const what = `scope ${scope} tree state`;
    checkPayload(treePayload, read.number('TreePayloadBytes'), read.string('TreePayloadSha256'), what);
    return { ...manifest, tree: decodeTreeState(treePayload) };
  }
}

/** A partition as a save needs it: the header's ETag (none: no header) and the other rows' keys. */
interface PartitionLayout {
  readonly etag?: string;
  readonly rowKeys: ReadonlySet<string>;
}

function layoutOf(rows: ReadonlyMap<string, TableEntityResult<Record<string, unknown>>>): PartitionLayout {
  const rowKeys = new Set([...rows.keys()].filter((rowKey) => rowKey !== HEADER_ROW));
  const etag = rows.get(HEADER_ROW)?.etag;
  return etag === undefined ? { rowKeys } : { etag, rowKeys };
}

/** Rows of `chunks`, numbered from `firstRow`, each with up to CHUNKS_PER_ROW pieces. */
function toChunkRows(chunks: readonly Buffer[], partitionKey: string, generation: string, firstRow: number) {
  const rows: TableEntity[] = [];
  for (let row = 0; row * CHUNKS_PER_ROW < chunks.length; row += 1) {
    const pieces = chunks.slice(row * CHUNKS_PER_ROW, (row + 1) * CHUNKS_PER_ROW);
    const entity: Record<string, unknown> = { Generation: generation, Pieces: pieces.length };
    pieces.forEach((piece, index) => {
      // Must stay a Buffer: @azure/data-tables 13.3 base64-encodes a plain Uint8Array view from its
      // whole underlying ArrayBuffer (ignoring offset and length), a Buffer correctly.
      entity[chunkPropertyName(index)] = piece;
    });
    rows.push({ partitionKey, rowKey: chunkRowKey(firstRow + row), ...entity });
  }
  return rows;
}

/** The pieces of rows `first`..`first + count - 1` joined, or null when one belongs to another save. */
function readPayload(
  rows: ReadonlyMap<string, EntityProperties>,
  generation: string,
  first: number,
  count: number,
): Buffer | null {
  const pieces: Uint8Array[] = [];
  for (let row = first; row < first + count; row += 1) {
    const chunk = rows.get(chunkRowKey(row));
    if (chunk === undefined || chunk.Generation !== generation) return null;
    const chunkRead = new EntityReader(chunk, 'Manifests');
    for (let index = 0; index < chunkRead.number('Pieces'); index += 1)
      pieces.push(chunkRead.binary(chunkPropertyName(index)));
  }
  return Buffer.concat(pieces);
}

function checkPayload(payload: Buffer, bytes: number, sha256: string, what: string): void {
  const sha = createHash('sha256').update(payload).digest('hex');
  if (payload.length !== bytes || sha !== sha256) {
    throw new CorruptEntityError('Manifests', `${what}: payload checksum mismatch`);
  }
}
