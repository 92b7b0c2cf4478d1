import { describe, expect, it } from 'vitest';
import type { IdGenerator } from '../../../src/ports/IdGenerator';

/** Service Bus message ids and Azure Tables keys take these as they are (no '/', '\\', '#', '?', ':' or controls). */
const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

/** What every IdGenerator must do: ids never repeat, are never empty, and fit a message id or table key. */
export function describeIdGeneratorContract(name: string, make: () => IdGenerator): void {
  describe(`IdGenerator contract: ${name}`, () => {
    it('never gives the same id twice', () => {
      const ids = make();
      const given = Array.from({ length: 10_000 }, () => ids.newId());
      expect(new Set(given).size).toBe(given.length);
    });

    it('gives non-empty ids of letters, digits and "-" only, at most 64 characters', () => {
      const ids = make();
      for (let i = 0; i < 1_000; i += 1) expect(ids.newId()).toMatch(SAFE_ID);
    });

    it('gives ids that stay the same when URI-encoded (safe in a table key, a message id and a URL)', () => {
      const id = make().newId();
      expect(encodeURIComponent(id)).toBe(id);
    });
  });
}
