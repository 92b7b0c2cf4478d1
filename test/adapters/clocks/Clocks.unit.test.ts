import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/adapters/system/SystemClock';
import { ManualClock } from '../../doubles/ManualClock';

describe('SystemClock', () => {
  it('tells the current time and sleeps for real', async () => {
    const clock = new SystemClock();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
    const started = performance.now();
    await clock.sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    await clock.sleep(0); // resolves without a timer
  });
});

describe('ManualClock', () => {
  it('starts at the given time and moves only when told', () => {
    const clock = new ManualClock('2025-03-01T10:00:00Z');
    expect(clock.now().toISOString()).toBe('2025-03-01T10:00:00.000Z');
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2025-03-01T10:00:01.500Z');
    clock.setTime(new Date('2025-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(() => clock.advance(-1)).toThrow(/forward/);
  });

  it('wakes sleepers when their deadline passes, earliest first, and not before', async () => {
    const clock = new ManualClock(0);
    const woken: string[] = [];
    const long = clock.sleep(1000).then(() => woken.push('long'));
    const short = clock.sleep(100).then(() => woken.push('short'));
    expect(clock.pendingSleeps).toBe(2);

    clock.advance(99);
    await Promise.resolve();
    expect(woken).toEqual([]);

    clock.advance(1);
    await short;
    expect(woken).toEqual(['short']);
    expect(clock.pendingSleeps).toBe(1);

    clock.advance(5000);
    await long;
    expect(woken).toEqual(['short', 'long']);
    await clock.sleep(0); // zero and negative sleeps return at once
  });

  it('lets a test wait until code under test goes to sleep', async () => {
    const clock = new ManualClock();
    const attempts: number[] = [];
    const retrying = (async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        attempts.push(attempt);
        if (attempt < 3) await clock.sleep(attempt * 1000);
      }
    })();
    for (let i = 0; i < 2; i++) {
      await clock.whenSleeping();
      clock.advance(10_000);
    }
    await retrying;
    expect(attempts).toEqual([1, 2, 3]);
    expect(clock.now().getTime() - new Date('2024-01-01T00:00:00Z').getTime()).toBe(20_000);
  });
});
