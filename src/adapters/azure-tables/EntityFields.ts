// Typed reads of entity properties. A row that does not have the shape we wrote is corruption (or
// a foreign writer), reported loudly rather than turned into half-filled domain objects.

import { Fault } from '../../ports/Fault';

export type EntityProperties = Readonly<Record<string, unknown>>;

/** A stored row this code cannot read: retrying cannot help, so it is not retryable. */
export class CorruptEntityError extends Fault<'MetadataCorrupt'> {
  constructor(table: string, detail: string) {
    super('MetadataCorrupt', `corrupt ${table} row: ${detail}`, { retryable: false });
    this.name = 'CorruptEntityError';
  }
}

export class EntityReader {
  constructor(
    private readonly entity: EntityProperties,
    private readonly table: string,
  ) {}

  string(name: string): string {
    const value = this.entity[name];
    if (typeof value !== 'string') throw new CorruptEntityError(this.table, `${name} is not a string`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.entity[name] === undefined || this.entity[name] === null ? undefined : this.string(name);
  }

  boolean(name: string): boolean {
    const value = this.entity[name];
    if (typeof value !== 'boolean') throw new CorruptEntityError(this.table, `${name} is not a boolean`);
    return value;
  }

  number(name: string): number {
    const value = this.entity[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'bigint') return Number(value);
    throw new CorruptEntityError(this.table, `${name} is not a number`);
  }

  optionalNumber(name: string): number | undefined {
    return this.entity[name] === undefined || this.entity[name] === null ? undefined : this.number(name);
  }

  date(name: string): Date {
    const value = this.entity[name];
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime()))
      throw new CorruptEntityError(this.table, `${name} is not a date`);
    return date;
  }

  optionalDate(name: string): Date | undefined {
    return this.entity[name] === undefined || this.entity[name] === null ? undefined : this.date(name);
  }

  binary(name: string): Uint8Array {
    const value = this.entity[name];
    if (!(value instanceof Uint8Array)) throw new CorruptEntityError(this.table, `${name} is not binary`);
    return value;
  }

  json<T>(name: string): T {
    try {
      return JSON.parse(this.string(name)) as T;
    } catch (error) {
      if (error instanceof CorruptEntityError) throw error;
      throw new CorruptEntityError(this.table, `${name} is not JSON`);
    }
  }
}

/** Drops undefined values, so optional fields are absent from the row (a Replace then clears them). */
export function definedOnly<T extends Record<string, unknown>>(properties: T): T {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined)) as T;
}
