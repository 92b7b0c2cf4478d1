import { describe, expect, it } from 'vitest';
import { ScratchRing } from '../../../src/adapters/local-volume/ScratchRing';

describe('the ring of scratch batches shared with the writing thread', () => {
  it('hands out stretches one after the other and takes them back oldest first', () => {
    const ring = new ScratchRing(100);
    expect(ring.take(40)).toBe(0);
    expect(ring.take(40)).toBe(40);
    expect(ring.take(40)).toBeNull(); // 20 left at the end, the start still held
    expect(ring.bytesHeld).toBe(80);
    ring.release();
    expect(ring.take(40)).toBe(0); // the end is too short: wraps around
    expect(ring.take(1)).toBeNull(); // the oldest stretch (40..80) is still held
    ring.release();
    expect(ring.take(60)).toBe(40);
    expect(ring.bytesHeld).toBe(100);
  });

  it('never hands out a stretch that overlaps one still held', () => {
    const ring = new ScratchRing(1000);
    const held: Array<[number, number]> = [];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let step = 0; step < 2000; step++) {
      if (held.length > 0 && next() % 3 === 0) {
        ring.release();
        held.shift();
        continue;
      }
      const length = next() % 300;
      const start = ring.take(length);
      if (start === null) continue;
      expect(start + length).toBeLessThanOrEqual(1000);
      for (const [from, to] of held) expect(start >= to || start + length <= from || length === 0).toBe(true);
      held.push([start, start + length]);
      expect(ring.bytesHeld).toBe(held.reduce((sum, [from, to]) => sum + to - from, 0));
    }
  });

  it('refuses a stretch larger than the ring, and starts over once nothing is held', () => {
    const ring = new ScratchRing(100);
    expect(ring.take(101)).toBeNull();
    expect(ring.take(0)).toBe(0); // an empty batch holds no bytes
    expect(ring.take(70)).toBe(0);
    ring.release();
    ring.release();
    expect(ring.take(100)).toBe(0);
    ring.releaseAll();
    expect(ring.bytesHeld).toBe(0);
    expect(ring.take(100)).toBe(0);
  });
});
