import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/ports/Clock';

export interface ClockFixture {
  readonly clock: Clock;
  /** Lets `ms` of this clock's time pass (really waiting, or moving a manual clock). */
  pass(ms: number): Promise<void>;
}

/** What every Clock must do: time moves forward, and a sleep ends once its time has passed. */
export function describeClockContract(name: string, makeFixture: () => ClockFixture): void {
  describe(`Clock contract: ${name}`, () => {
    it('does not go backwards while time passes', async () => {
      const { clock, pass } = makeFixture();
      const before = clock.now().getTime();
      await pass(20);
      expect(clock.now().getTime()).toBeGreaterThanOrEqual(before + 20);
    });

    it('ends a sleep only once its duration has passed', async () => {
      const { clock, pass } = makeFixture();
      let woke = false;
      const start = clock.now().getTime();
      const sleeping = clock.sleep(50).then(() => {
        woke = true;
      });
      await pass(10);
      expect(woke).toBe(false);
      await pass(60);
      await sleeping;
      expect(woke).toBe(true);
      expect(clock.now().getTime() - start).toBeGreaterThanOrEqual(50);
    });

    it('ends a sleep early, without rejecting, when its signal aborts', async () => {
      const { clock } = makeFixture();
      const controller = new AbortController();
      const sleeping = clock.sleep(60 * 60_000, controller.signal);
      controller.abort();
      await expect(sleeping).resolves.toBeUndefined();
      await expect(clock.sleep(60 * 60_000, controller.signal)).resolves.toBeUndefined();
    });

    it('returns a new Date each time (callers may not mutate shared state)', () => {
      const { clock } = makeFixture();
      const first = clock.now();
      first.setTime(0);
      expect(clock.now().getTime()).not.toBe(0);
    });
  });
}
