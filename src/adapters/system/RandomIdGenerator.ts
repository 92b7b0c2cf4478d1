import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../../ports/IdGenerator';

/** Random version-4 UUIDs: unique across processes and machines without coordination. */
export class RandomIdGenerator implements IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
