import { createHash } from 'node:crypto';
import * as yauzl from 'yauzl';
import type { ArchiveEntry } from '../../ports/contracts/WorkspaceBackups.contract';
import type { SnapshotEntry } from '../../support/folderSnapshot';

export interface ZipEntryView extends SnapshotEntry {
  readonly modifiedAt: Date;
}

/** Every entry of a zip (a file path or the bytes), keyed by path without trailing slash, hashed like folderSnapshot. */
export async function readZip(source: string | Uint8Array): Promise<Map<string, ZipEntryView>> {
  const zipfile =
    typeof source === 'string'
      ? await yauzl.openPromise(source)
      : await yauzl.fromBufferPromise(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
  const out = new Map<string, ZipEntryView>();
  try {
    for await (const entry of zipfile.eachEntry()) {
      const modifiedAt = entry.getLastModDate();
      if (entry.fileName.endsWith('/')) {
        out.set(entry.fileName.slice(0, -1), { kind: 'directory', modifiedAt });
        continue;
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await zipfile.openReadStreamPromise(entry)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
      const mode = (entry.externalFileAttributes >>> 16) & 0o777;
      out.set(entry.fileName, { kind: 'file', mode, size, sha256: hash.digest('hex'), modifiedAt });
    }
  } finally {
    zipfile.close();
  }
  return out;
}

/** All chunks of a stream joined (for small archives only). */
export async function collectBytes(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Entries without their times, for comparing with a folder snapshot. */
export function withoutTimes(entries: Map<string, ZipEntryView>): Map<string, SnapshotEntry> {
  return new Map([...entries].map(([path, { modifiedAt: _ignored, ...rest }]) => [path, rest]));
}

/** A zip unpacked in memory into path -> file bytes and executable bit, or folder (small archives only). */
export async function unpackZip(chunks: AsyncIterable<Uint8Array>): Promise<Map<string, ArchiveEntry>> {
  const zipfile = await yauzl.fromBufferPromise(await collectBytes(chunks));
  const out = new Map<string, ArchiveEntry>();
  for await (const entry of zipfile.eachEntry()) {
    if (entry.fileName.endsWith('/')) {
      out.set(entry.fileName.slice(0, -1), { kind: 'directory' });
      continue;
    }
    const bytes = await collectBytes(await zipfile.openReadStreamPromise(entry));
    out.set(entry.fileName, { kind: 'file', bytes, executable: ((entry.externalFileAttributes >>> 16) & 0o111) !== 0 });
  }
  return out;
}
