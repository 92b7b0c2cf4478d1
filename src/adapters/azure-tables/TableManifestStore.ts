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
  applyManifestDelta,
  decodeManifestEntries,
  decodeTreeState,
  encodeManifestDelta,
  encodeManifestEntries,
  encodeTreeState,
  MANIFEST_DELTA_FORMAT,
  MANIFEST_FORMAT,
  splitIntoChunks,
  TREE_STATE_FORMAT,
} from './ManifestCodec';
import { type ManifestChanges, manifestChanges } from './manifestChanges';
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
const deltaRowKey = (index: number): string => `delta|${index.toString().padStart(4, '0')}`;
/**
 * Deltas on one full manifest before a save writes it whole again; also once their payloads
 * together pass half of the full one's. Every read applies them all, so both stay small.
 */
const MAX_DELTA_ROWS = 16;
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
 * One partition per scope: a `header` row (commit, dirty flag, generation, checksums) and `chunk|NNNN`
 * rows holding the compressed entries of the last full save (`ChunkRows` of them, marked with its
 * generation, the header's `BaseGeneration`), then the rows of the tree state when there is one
 * (`TreeRows`, marked with the header's `Generation`). A tree state that would not fit is left out:
 * the next sync then lists the whole tree. Saves after a full one may be deltas: `delta|NNNN` rows
 * (`DeltaRows` of them, each marked with the base it applies to) that a reader applies in order.
 * Every save writes its rows, its header and the removal of rows it no longer needs in one
 * transaction, so a reader sees the old manifest or the new one; a reader whose paged query
 * straddled a save notices rows of another generation or base and reads again.
 */
export class TableManifestStore {
  /**
   * Per scope, the header this store last saw (its ETag and what it describes) and the row keys
   * (a read, then a markDirty on that same header): the save that follows needs not list the
   * partition again, and may write a delta. The ETag makes a stale entry fail the transaction;
   * then the rows are listed and the manifest saved whole.
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
    const scope = manifest.scope;
    const generation = randomUUID();
    const treePayload = manifest.tree ? encodeTreeState(manifest.tree) : undefined;
    let full: FullPayload | undefined; // encoded once, whichever attempt first needs it
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Which rows exist now (stale chunks of a bigger manifest, orphans of a racing delete) and
      // the header's ETag, which makes the transaction fail if anyone wrote meanwhile: as last
      // seen on the first attempt, else listed (keys only).
      const known = attempt === 1 ? this.layouts.get(scope) : undefined;
      this.layouts.delete(scope);
      let save = known && this.deltaSave(known, manifest, generation, treePayload);
      if (save === undefined) {
        full ??= encodeFull(manifest);
        const before = known ?? layoutOf(await this.readPartition(scope, ['RowKey']));
        save = fullSave(before, manifest, generation, treePayload, full);
      }
      const { etag } = save.before;
      const actions: TransactionAction[] = [
        etag === undefined ? ['create', save.header] : ['update', save.header, 'Replace', { etag }],
        ...save.rows.map((row): TransactionAction => ['upsert', row, 'Replace']),
        ...[...save.before.rowKeys]
          .filter((rowKey) => !save.rowKeys.has(rowKey))
          .map((rowKey): TransactionAction => ['delete', { partitionKey: save.header.partitionKey, rowKey }]),
      ];
      if (actions.length > 100)
        throw new ManifestTooLargeError(scope, manifest.entries.size, full?.payload.length ?? 0);
      try {
        await tableCall('saveManifest', () => this.table.submitTransaction(actions));
        // What a reader would decode: the tree state only if it was stored.
        const { commitSha, entries, tree } = manifest;
        const saved = save.withTree && tree ? { scope, commitSha, tree } : { scope, commitSha };
        const { delta } = save;
        if (!delta || !this.cache.advance(delta.on, generation, saved, delta.changes, save.rowKeys)) {
          this.cache.remember(generation, { ...saved, entries }, save.rowKeys);
        }
        return;
      } catch (error) {
        // 409: someone created the header first; 412: someone changed it; 404: a row we meant to
        // delete is already gone. All mean "a concurrent writer" (or a stale layout): look again.
        if (!isConflict(error) && !isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    throw new MetadataUnavailableError(`saveManifest: scope ${manifest.scope} kept changing under concurrent writers`);
  }

  /**
   * A save as a delta on the stored manifest (issue #10): a sync that changed a few files writes
   * their records, the tree state and the header, instead of every entry again. Only on a stored
   * manifest this store holds decoded and whose header it last saw (the ETag makes the transaction
   * fail otherwise); undefined when a full save is due (no such manifest, too many or too large deltas).
   */
  private deltaSave(
    known: PartitionLayout,
    manifest: Omit<Manifest, 'dirty'>,
    generation: string,
    treePayload: Buffer | undefined,
  ): PlannedSave | undefined {
    const { shape } = known;
    if (shape === undefined || known.etag === undefined || shape.deltaRows >= MAX_DELTA_ROWS) return undefined;
    const stored = this.cache.stored(manifest.scope, shape.generation);
    if (stored === undefined) return undefined;
    const changes = manifestChanges(stored.entries, manifest.entries);
    const payload = encodeManifestDelta(changes.changed, changes.removed);
    const deltaBytes = shape.deltaBytes + payload.length;
    const chunks = splitIntoChunks(payload, MANIFEST_CHUNK_BYTES);
    if (deltaBytes > shape.payloadBytes / 2 || chunks.length > CHUNKS_PER_ROW) return undefined;

    const partitionKey = encodeKeyPart(manifest.scope);
    const deltaRow: TableEntity = {
      partitionKey,
      rowKey: deltaRowKey(shape.deltaRows),
      Base: shape.base,
      Format: MANIFEST_DELTA_FORMAT,
      PayloadBytes: payload.length,
      PayloadSha256: sha256(payload),
      ...piecesOf(chunks),
    };
    const tree = treePayload && storedTree(treePayload, chunks.length, partitionKey, generation, shape.chunkRows);
    const header: TableEntity = {
      ...headerOf(manifest, generation, shape),
      DeltaRows: shape.deltaRows + 1,
      DeltaBytes: deltaBytes,
      ...tree?.fields,
    };
    const rows = [deltaRow, ...(tree?.rows ?? [])];
    const rowKeys = new Set(rows.map((row) => row.rowKey));
    for (let index = 0; index < shape.chunkRows; index += 1) rowKeys.add(chunkRowKey(index));
    for (let index = 0; index < shape.deltaRows; index += 1) rowKeys.add(deltaRowKey(index));
    const delta = { on: shape.generation, changes };
    return { before: known, header, rows, rowKeys, withTree: tree !== undefined, delta };
  }

  async markDirty(scope: Scope): Promise<void> {
    const known = this.layouts.get(scope);
    this.layouts.delete(scope);
    const flag = { partitionKey: encodeKeyPart(scope), rowKey: HEADER_ROW, Dirty: true };
    try {
      if (known?.etag !== undefined) {
        // On the header as last seen, so that what this store knows of the partition stays true
        // (a delta save relies on it); if another writer changed it since, the flag goes on anyway.
        try {
          const { etag } = await tableCall('markManifestDirty', () =>
            this.table.updateEntity(flag, 'Merge', { etag: known.etag }),
          );
          if (etag !== undefined) this.layouts.set(scope, { ...known, etag });
          return;
        } catch (error) {
          if (!isPreconditionFailed(error)) throw error;
        }
      }
      await tableCall('markManifestDirty', () => this.table.updateEntity(flag, 'Merge'));
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
    const shape = shapeOf(header);
    const hit = this.cache.hit(scope, shape.generation, new EntityReader(header, 'Manifests').boolean('Dirty'));
    if (hit === null || header.etag === undefined) return undefined;
    this.layouts.set(scope, { etag: header.etag, rowKeys: hit.rowKeys, shape });
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
    const { generation, base, chunkRows, deltaRows } = shapeOf(header);
    const payload = readPayload(rows, base, 0, chunkRows);
    if (payload === null) return null;
    checkPayload(payload, read.number('PayloadBytes'), read.string('PayloadSha256'), `scope ${scope}`);
    const entries = decodeManifestEntries(payload);
    for (let index = 0; index < deltaRows; index += 1) {
      const delta = rows.get(deltaRowKey(index));
      if (delta === undefined || delta.Base !== base) return null;
      const deltaRead = new EntityReader(delta, 'Manifests');
      const deltaFormat = deltaRead.string('Format');
      if (deltaFormat !== MANIFEST_DELTA_FORMAT)
        throw new CorruptEntityError('Manifests', `unknown delta format '${deltaFormat}'`);
      const deltaPayload = Buffer.concat(piecesIn(deltaRead));
      const what = `scope ${scope} delta ${index}`;
      checkPayload(deltaPayload, deltaRead.number('PayloadBytes'), deltaRead.string('PayloadSha256'), what);
      applyManifestDelta(entries, deltaPayload);
    }
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

/**
 * A partition as a save needs it: the header's ETag (none: no header), the other rows' keys and,
 * when the header was read, what it describes.
 */
interface PartitionLayout {
  readonly etag?: string;
  readonly rowKeys: ReadonlySet<string>;
  readonly shape?: StoredShape;
}

function layoutOf(rows: ReadonlyMap<string, TableEntityResult<Record<string, unknown>>>): PartitionLayout {
  const rowKeys = new Set([...rows.keys()].filter((rowKey) => rowKey !== HEADER_ROW));
  const header = rows.get(HEADER_ROW);
  if (header?.etag === undefined) return { rowKeys };
  // A header listed by its keys alone (a save about to overwrite it) says nothing of its shape.
  return { etag: header.etag, rowKeys, ...(header.Generation === undefined ? {} : { shape: shapeOf(header) }) };
}

/** What a header describes: its save's generation, the full save's rows, and the deltas on them. */
interface StoredShape {
  readonly generation: string;
  /** The generation of the last full save, which its chunk rows carry. */
  readonly base: string;
  readonly chunkRows: number;
  readonly payloadBytes: number;
  readonly payloadSha256: string;
  readonly deltaRows: number;
  readonly deltaBytes: number;
}

function shapeOf(header: EntityProperties): StoredShape {
  const read = new EntityReader(header, 'Manifests');
  const generation = read.string('Generation');
  return {
    generation,
    base: read.optionalString('BaseGeneration') ?? generation, // written before deltas: always a full save
    chunkRows: read.number('ChunkRows'),
    payloadBytes: read.number('PayloadBytes'),
    payloadSha256: read.string('PayloadSha256'),
    deltaRows: read.optionalNumber('DeltaRows') ?? 0,
    deltaBytes: read.optionalNumber('DeltaBytes') ?? 0,
  };
}

/** A save ready to submit: what it was planned on, its header and rows, and the rows there are after it. */
interface PlannedSave {
  readonly before: PartitionLayout;
  readonly header: TableEntity;
  readonly rows: readonly TableEntity[];
  readonly rowKeys: ReadonlySet<string>;
  readonly withTree: boolean;
  /** A delta save: the generation it changes, and how. */
  readonly delta?: { readonly on: string; readonly changes: ManifestChanges };
}

/** The whole manifest's encoding, checked against the limit of one transaction. */
interface FullPayload {
  readonly payload: Buffer;
  readonly chunks: readonly Buffer[];
}

function encodeFull(manifest: Omit<Manifest, 'dirty'>): FullPayload {
  const payload = encodeManifestEntries(manifest.entries);
  if (payload.length > MAX_MANIFEST_PAYLOAD_BYTES) {
    throw new ManifestTooLargeError(manifest.scope, manifest.entries.size, payload.length);
  }
  return { payload, chunks: splitIntoChunks(payload, MANIFEST_CHUNK_BYTES) };
}

/** A save of the whole manifest: its chunk rows, then the tree state's, replacing every other row. */
function fullSave(
  before: PartitionLayout,
  manifest: Omit<Manifest, 'dirty'>,
  generation: string,
  treePayload: Buffer | undefined,
  { payload, chunks }: FullPayload,
): PlannedSave {
  const partitionKey = encodeKeyPart(manifest.scope);
  const chunkRows = toChunkRows(chunks, partitionKey, generation, 0);
  const shape: StoredShape = {
    generation,
    base: generation,
    chunkRows: chunkRows.length,
    payloadBytes: payload.length,
    payloadSha256: sha256(payload),
    deltaRows: 0,
    deltaBytes: 0,
  };
  const tree = treePayload && storedTree(treePayload, chunks.length, partitionKey, generation, chunkRows.length);
  const header: TableEntity = { ...headerOf(manifest, generation, shape), ...tree?.fields };
  const rows = [...chunkRows, ...(tree?.rows ?? [])];
  return { before, header, rows, rowKeys: new Set(rows.map((row) => row.rowKey)), withTree: tree !== undefined };
}

/** The header's fields but the tree state's: what `shape` stores, at `generation`, clean. */
function headerOf(manifest: Omit<Manifest, 'dirty'>, generation: string, shape: StoredShape): TableEntity {
  return {
    partitionKey: encodeKeyPart(manifest.scope),
    rowKey: HEADER_ROW,
    Scope: manifest.scope,
    CommitSha: manifest.commitSha,
    Dirty: false,
    Generation: generation,
    BaseGeneration: shape.base,
    Format: MANIFEST_FORMAT,
    EntryCount: manifest.entries.size,
    PayloadBytes: shape.payloadBytes,
    PayloadSha256: shape.payloadSha256,
    ChunkRows: shape.chunkRows,
    DeltaRows: shape.deltaRows,
    DeltaBytes: shape.deltaBytes,
  };
}

/**
 * The tree state's rows from `firstRow` and its header fields, or undefined when it would not fit
 * in the transaction beside the save's other `otherChunks` pieces.
 */
function storedTree(
  treePayload: Buffer,
  otherChunks: number,
  partitionKey: string,
  generation: string,
  firstRow: number,
): { rows: TableEntity[]; fields: Record<string, unknown> } | undefined {
  const chunks = splitIntoChunks(treePayload, MANIFEST_CHUNK_BYTES);
  if (otherChunks + chunks.length > MAX_CHUNKS) return undefined;
  const rows = toChunkRows(chunks, partitionKey, generation, firstRow);
  const fields = {
    TreeFormat: TREE_STATE_FORMAT,
    TreeRows: rows.length,
    TreePayloadBytes: treePayload.length,
    TreePayloadSha256: sha256(treePayload),
  };
  return { rows, fields };
}

/** Rows of `chunks`, numbered from `firstRow`, each with up to CHUNKS_PER_ROW pieces. */
function toChunkRows(chunks: readonly Buffer[], partitionKey: string, generation: string, firstRow: number) {
  const rows: TableEntity[] = [];
  for (let row = 0; row * CHUNKS_PER_ROW < chunks.length; row += 1) {
    const pieces = chunks.slice(row * CHUNKS_PER_ROW, (row + 1) * CHUNKS_PER_ROW);
    rows.push({ partitionKey, rowKey: chunkRowKey(firstRow + row), Generation: generation, ...piecesOf(pieces) });
  }
  return rows;
}

/** A row's `Pieces` count and its pieces as properties C00, C01, ... */
function piecesOf(pieces: readonly Buffer[]): Record<string, unknown> {
  const properties: Record<string, unknown> = { Pieces: pieces.length };
  pieces.forEach((piece, index) => {
    // Must stay a Buffer: @azure/data-tables 13.3 base64-encodes a plain Uint8Array view from its
    // whole underlying ArrayBuffer (ignoring offset and length), a Buffer correctly.
    properties[chunkPropertyName(index)] = piece;
  });
  return properties;
}

function piecesIn(row: EntityReader): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let index = 0; index < row.number('Pieces'); index += 1) pieces.push(row.binary(chunkPropertyName(index)));
  return pieces;
}

function sha256(payload: Buffer): string {
  return createHash('sha256').update(payload).digest('hex');
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
    pieces.push(...piecesIn(new EntityReader(chunk, 'Manifests')));
  }
  return Buffer.concat(pieces);
}

function checkPayload(payload: Buffer, bytes: number, expectedSha256: string, what: string): void {
  if (payload.length !== bytes || sha256(payload) !== expectedSha256) {
    throw new CorruptEntityError('Manifests', `${what}: payload checksum mismatch`);
  }
}
