/**
 * Faults a test can queue on the peer. Each applies to the next `times` (default 1) requests whose
 * path and query match `match` (default: every request). The request target is tested as sent
 * (`/repos/o/r/git/ref/heads%2Fmain?x=1`) and decoded (`/repos/o/r/git/ref/heads/main?x=1`).
 */
export type PeerFault =
  | { kind: 'status'; status: number; times?: number; match?: RegExp; body?: unknown }
  | { kind: 'rate-limit'; retryAfterSeconds: number; times?: number; match?: RegExp; secondary?: boolean }
  | { kind: 'reset'; times?: number; match?: RegExp }
  | { kind: 'delay'; ms: number; times?: number; match?: RegExp };

type DelayFault = Extract<PeerFault, { kind: 'delay' }>;
export type TerminalFault = Exclude<PeerFault, DelayFault>;

interface QueuedFault {
  readonly fault: PeerFault;
  remaining: number;
}

/** What a request meets: every matching delay (added up) and at most one terminal fault. */
export interface FaultPlan {
  readonly delayMs: number;
  readonly terminal: TerminalFault | null;
}

export class FaultQueue {
  private readonly queued: QueuedFault[] = [];

  add(fault: PeerFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer, got ${times}`);
    this.queued.push({ fault, remaining: times });
  }

  clear(): void {
    this.queued.length = 0;
  }

  /** Requests the queued faults will still apply to. */
  pending(): number {
    return this.queued.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** Consumes the faults that apply to this request, in the order they were queued. */
  take(targets: readonly string[]): FaultPlan {
    let delayMs = 0;
    let terminal: TerminalFault | null = null;
    for (const entry of this.queued) {
      const { fault } = entry;
      if (fault.match) {
        // (lastIndex reset: a /g or /y RegExp keeps state between test() calls)
        const match = fault.match;
        const matches = targets.some((target) => {
          match.lastIndex = 0;
          return match.test(target);
        });
        if (!matches) continue;
      }
      if (fault.kind === 'delay') {
        delayMs += fault.ms;
        entry.remaining--;
      } else if (terminal === null) {
        terminal = fault;
        entry.remaining--;
      }
    }
    for (let i = this.queued.length - 1; i >= 0; i--) if (this.queued[i]!.remaining <= 0) this.queued.splice(i, 1);
    return { delayMs, terminal };
  }
}
