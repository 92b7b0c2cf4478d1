import type { IdGenerator } from '../../src/ports/IdGenerator';

/** Predictable ids for tests: `id-1`, `id-2`, … (or another prefix), in the order they are asked for. */
export class SequentialIdGenerator implements IdGenerator {
  private issued = 0;

  constructor(private readonly prefix = 'id') {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(prefix))
      throw new Error(`SequentialIdGenerator: prefix '${prefix}' must be 1-40 letters, digits or '-'`);
  }

  newId(): string {
    this.issued += 1;
    return `${this.prefix}-${this.issued}`;
  }

  /** The id the next `newId` call returns, so a test can name it before the code under test asks. */
  peekNext(): string {
    return `${this.prefix}-${this.issued + 1}`;
  }
}
