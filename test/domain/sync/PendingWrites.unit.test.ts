import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingWrites } from '../../../src/domain/sync/steps/PendingWrites';
import { compareCodeUnits } from '../../../src/domain/workspace/PathKey';

describe('PendingWrites', () => {
  it('finds the writes of both lists, marks them staged once, and lists the rest in plan order', () => {
    const pending = new PendingWrites([['a/b.py', 'a/c.py', 'z.py'], ['a']]);
    expect(pending.size).toBe(4);
    expect(pending.has('a/c.py')).toBe(true);
    expect(pending.has('a')).toBe(true);
    expect(pending.has('a/d.py')).toBe(false);

    pending.markStaged('a/c.py');
    pending.markStaged('a/c.py'); // twice: counted once
    pending.markStaged('not/planned.py');
    expect(pending.has('a/c.py')).toBe(false);
    expect(pending.size).toBe(3);
    expect(pending.remaining()).toEqual(['a/b.py', 'z.py', 'a']);

    pending.markStaged('a');
    expect(pending.remaining()).toEqual(['a/b.py', 'z.py']);
  });

  it('compares code units, as the plan sorts: "B" before "a", "a-b" before "a/b"', () => {
    const pending = new PendingWrites([['B.py', 'a-b', 'a/b', 'a\u00e9']]);
    for (const path of ['B.py', 'a-b', 'a/b', 'a\u00e9']) expect(pending.has(path)).toBe(true);
    expect(pending.has('b.py')).toBe(false);
  });

  it('refuses lists that are not sorted and distinct (a plan that broke its own order)', () => {
    expect(() => new PendingWrites([['b', 'a']])).toThrow(/sorted and distinct/);
    expect(() => new PendingWrites([['a', 'a']])).toThrow(/sorted and distinct/);
    expect(() => new PendingWrites([[], ['a', 'b']])).not.toThrow();
  });

  it('agrees with a set of the same paths, whatever is staged in whatever order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 40 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 60 }),
        (paths, staged) => {
          const sorted = [...paths].sort(compareCodeUnits);
          const cut = Math.floor(sorted.length / 2);
          const pending = new PendingWrites([sorted.slice(0, cut), sorted.slice(cut)]);
          const model = new Set(sorted);
          for (const path of [...staged, ...paths.slice(0, 5)]) {
            expect(pending.has(path)).toBe(model.has(path));
            pending.markStaged(path);
            model.delete(path);
          }
          expect(pending.size).toBe(model.size);
          expect(pending.remaining()).toEqual(sorted.filter((path) => model.has(path)));
        },
      ),
    );
  });
});
