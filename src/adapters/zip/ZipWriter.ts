/** What a zip records of an entry besides its bytes. */
export interface ZipEntryMeta {
  /** Name in the archive; folders end with '/'. */
  readonly name: string;
  readonly modifiedAt: Date;
  /** Unix mode with the file type bits (0o100644, 0o040755, ...). */
  readonly mode: number;
}

/** 0 stores the bytes as they are, 8 deflates them. */
export type ZipMethod = 0 | 8;

/** The end of a zip without Zip64 fields: offsets, sizes and the entry count must fit these. */
export const ZIP32_MAX_ENTRIES = 0xfffe;
export const ZIP32_MAX_BYTES = 0xfffffffe;

const VERSION_NEEDED = 20; // 2.0: deflate and folders
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // Unix, so readers take the mode from the attributes
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;
const EXTENDED_TIMESTAMP = 0x5455;
const EXTRA_BYTES = 9;

interface CentralRecord {
  readonly name: Buffer;
  readonly meta: ZipEntryMeta;
  readonly flags: number;
  readonly method: ZipMethod;
  readonly offset: number;
  crc: number;
  compressedSize: number;
  size: number;
}

/**
 * Writes the records of a zip (without Zip64) around entry data the caller has compressed already:
 * each call returns the bytes to send next, so the archive streams. The caller chooses Zip64 (yazl)
 * up front when the plan may pass the limits above; passing them anyway fails instead of writing
 * offsets a reader would misread.
 */
export class ZipWriter {
  private written = 0;
  private readonly records: CentralRecord[] = [];
  private streamed: CentralRecord | undefined;

  /** Header and data of an entry whose checksum and sizes are known. */
  whole(meta: ZipEntryMeta, method: ZipMethod, crc: number, size: number, data: Uint8Array): Uint8Array[] {
    const record = this.begin(meta, method, FLAG_UTF8_NAME);
    record.crc = crc;
    record.size = size;
    record.compressedSize = data.byteLength;
    const header = this.localHeader(record);
    this.advance(data.byteLength);
    return data.byteLength === 0 ? [header] : [header, data];
  }

  /** Header of an entry whose data follows in pieces (`streamedData`), checksum and sizes after it. */
  beginStreamed(meta: ZipEntryMeta, method: ZipMethod): Uint8Array {
    const record = this.begin(meta, method, FLAG_UTF8_NAME | FLAG_DATA_DESCRIPTOR);
    this.streamed = record;
    return this.localHeader(record);
  }

  streamedData(data: Uint8Array): Uint8Array {
    this.advance(data.byteLength);
    return data;
  }

  /** The descriptor closing the streamed entry. */
  endStreamed(crc: number, size: number): Uint8Array {
    const record = this.streamed;
    if (record === undefined) throw new Error('no streamed entry to end');
    this.streamed = undefined;
    record.crc = crc;
    record.size = size;
    record.compressedSize = this.written - record.offset - 30 - record.name.byteLength - EXTRA_BYTES;
    if (size > ZIP32_MAX_BYTES) throw tooLarge();
    const descriptor = Buffer.allocUnsafe(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(record.compressedSize, 8);
    descriptor.writeUInt32LE(size, 12);
    this.advance(16);
    return descriptor;
  }

  /** The central directory and the end record. */
  finish(): Uint8Array {
    const start = this.written;
    const parts: Buffer[] = [];
    for (const record of this.records) {
      const header = Buffer.alloc(46 + record.name.byteLength + EXTRA_BYTES);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(VERSION_MADE_BY, 4);
      header.writeUInt16LE(VERSION_NEEDED, 6);
      header.writeUInt16LE(record.flags, 8);
      header.writeUInt16LE(record.method, 10);
      writeDosTime(header, 12, record.meta.modifiedAt);
      header.writeUInt32LE(record.crc >>> 0, 16);
      header.writeUInt32LE(record.compressedSize, 20);
      header.writeUInt32LE(record.size, 24);
      header.writeUInt16LE(record.name.byteLength, 28);
      header.writeUInt16LE(EXTRA_BYTES, 30);
      // 32: comment length, 34: disk, 36: internal attributes, all 0
      const msDosFolder = record.meta.name.endsWith('/') ? 0x10 : 0;
      header.writeUInt32LE(((record.meta.mode << 16) | msDosFolder) >>> 0, 38);
      header.writeUInt32LE(record.offset, 42);
      record.name.copy(header, 46);
      writeTimestampExtra(header, 46 + record.name.byteLength, record.meta.modifiedAt);
      parts.push(header);
      this.advance(header.byteLength);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.records.length, 8);
    end.writeUInt16LE(this.records.length, 10);
    end.writeUInt32LE(this.written - start, 12);
    end.writeUInt32LE(start, 16);
    parts.push(end);
    return Buffer.concat(parts);
  }

  private begin(meta: ZipEntryMeta, method: ZipMethod, flags: number): CentralRecord {
    if (this.streamed !== undefined) throw new Error('the streamed entry was not ended');
    if (this.records.length >= ZIP32_MAX_ENTRIES) throw tooLarge();
    const record = {
      name: Buffer.from(meta.name),
      meta,
      flags,
      method,
      offset: this.written,
      crc: 0,
      compressedSize: 0,
      size: 0,
    };
    this.records.push(record);
    return record;
  }

  private localHeader(record: CentralRecord): Buffer {
    const header = Buffer.alloc(30 + record.name.byteLength + EXTRA_BYTES);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(record.flags, 6);
    header.writeUInt16LE(record.method, 8);
    writeDosTime(header, 10, record.meta.modifiedAt);
    if (record.size > ZIP32_MAX_BYTES || record.compressedSize > ZIP32_MAX_BYTES) throw tooLarge();
    // Streamed entries leave checksum and sizes 0 here; their descriptor carries them.
    header.writeUInt32LE(record.crc >>> 0, 14);
    header.writeUInt32LE(record.compressedSize, 18);
    header.writeUInt32LE(record.size, 22);
    header.writeUInt16LE(record.name.byteLength, 26);
    header.writeUInt16LE(EXTRA_BYTES, 28);
    record.name.copy(header, 30);
    writeTimestampExtra(header, 30 + record.name.byteLength, record.meta.modifiedAt);
    this.advance(header.byteLength);
    return header;
  }

  private advance(bytes: number): void {
    this.written += bytes;
    if (this.written > ZIP32_MAX_BYTES) throw tooLarge();
  }
}

function tooLarge(): Error {
  return new Error('the archive outgrew the zip limits without Zip64 (files grew while it was written?)');
}

/** MS-DOS date and time, local and to two seconds, clamped to the years it can hold. */
function writeDosTime(target: Buffer, at: number, date: Date): void {
  const year = date.getFullYear();
  if (year < 1980) {
    target.writeUInt32LE(((1 << 5) | 1) << 16, at); // 1980-01-01 00:00
    return;
  }
  if (year > 2107) {
    target.writeUInt32LE(((((127 << 9) | (12 << 5) | 31) << 16) | (23 << 11) | (59 << 5) | 29) >>> 0, at);
    return;
  }
  target.writeUInt16LE((date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1), at);
  target.writeUInt16LE(((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(), at + 2);
}

/** The extended timestamp field: the modification time in Unix seconds, exact where DOS time is not. */
function writeTimestampExtra(target: Buffer, at: number, date: Date): void {
  const seconds = Math.max(-0x80000000, Math.min(0x7fffffff, Math.floor(date.getTime() / 1000)));
  target.writeUInt16LE(EXTENDED_TIMESTAMP, at);
  target.writeUInt16LE(5, at + 2);
  target.writeUInt8(1, at + 4); // the modification time only
  target.writeInt32LE(seconds, at + 5);
}
