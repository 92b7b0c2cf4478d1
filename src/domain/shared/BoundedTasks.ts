/**
 * Background tasks with at most `maxTasks` in flight and at most `maxWeight` (bytes, say) held by
 * them together; `add` waits for room. The first failure is rethrown by the next `add` or `drain`.
 * Waiters are woken when a task ends (no `Promise.race` over the running set, whose reactions pile
 * up on every running task when many are in flight).
 */
export class BoundedTasks {
  private readonly running = new Set<Promise<void>>();
  private weight = 0;
  private failure: { error: unknown } | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly maxTasks: number,
    private readonly maxWeight: number,
  ) {}

  async add(weight: number, task: () => Promise<void>): Promise<void> {
    await this.room(weight);
    this.weight += weight;
    const tracked: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.running.delete(tracked);
        this.weight -= weight;
        this.wakeWaiters();
      });
    this.running.add(tracked);
  }

  /**
   * Waits until a task of `weight` would start at once (the caller may then fill a buffer of that
   * size before calling `add`, and `add` will not wait again); rethrows a failure seen meanwhile.
   */
  async room(weight: number): Promise<void> {
    while (this.running.size > 0 && (this.running.size >= this.maxTasks || this.weight + weight > this.maxWeight)) {
      await this.taskEnded();
    }
    this.throwIfFailed();
  }

  /** Waits for every task, then rethrows the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every task without throwing (for clean-up paths). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await this.taskEnded();
  }

  private taskEnded(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
