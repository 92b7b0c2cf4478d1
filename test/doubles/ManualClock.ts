import type { Clock } from '../../src/ports/Clock';

interface Sleeper {
  readonly deadline: number;
  readonly wake: () => void;
}

interface SleepWatcher {
  readonly count: number;
  readonly notify: () => void;
}

/**
 * A clock that only moves when a test moves it. `sleep` resolves once `advance`/`setTime` carry
 * the time to or past its deadline, so retry and back-off code runs without real waiting.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private watchers: SleepWatcher[] = [];

  constructor(start: Date | number | string = '2024-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new Error(`ManualClock: invalid start time '${String(start)}'`);
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((wake) => {
      const sleeper: Sleeper = { deadline: this.current + ms, wake };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((other) => other !== sleeper);
          wake();
        },
        { once: true },
      );
      this.notifyWatchers();
    });
  }

  /** Moves time forward and wakes, earliest deadline first, every sleeper whose deadline passed. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('ManualClock.advance: time only moves forward; use setTime to go back');
    this.setTime(this.current + ms);
  }

  /** Jumps to a given time (forward or back) and wakes sleepers whose deadline passed. */
  setTime(time: Date | number): void {
    this.current = new Date(time).getTime();
    const due = this.sleepers.filter((sleeper) => sleeper.deadline <= this.current);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.deadline > this.current);
    for (const sleeper of due.sort((a, b) => a.deadline - b.deadline)) sleeper.wake();
  }

  /** How many `sleep` calls are waiting. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Resolves once at least `count` sleepers wait: lets a test advance exactly when code sleeps. */
  whenSleeping(count = 1): Promise<void> {
    if (this.sleepers.length >= count) return Promise.resolve();
    return new Promise<void>((notify) => this.watchers.push({ count, notify }));
  }

  private notifyWatchers(): void {
    const ready = this.watchers.filter((watcher) => this.sleepers.length >= watcher.count);
    this.watchers = this.watchers.filter((watcher) => this.sleepers.length < watcher.count);
    for (const watcher of ready) watcher.notify();
  }
}
