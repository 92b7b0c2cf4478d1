import type { Clock } from '../../ports/Clock';

/** One dependency the service needs to do its job, checked by a cheap round trip. */
export interface DependencyProbe {
  readonly name: string;
  check(): Promise<void>;
}

export interface DependencyStatus {
  readonly name: string;
  readonly status: 'ok' | 'failed';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly dependencies: readonly DependencyStatus[];
}

/**
 * Checks every dependency at once, each bounded by a timeout so one hung dependency cannot hang the
 * answer; ready only when all pass.
 */
export class CheckReadiness {
  constructor(
    private readonly deps: {
      readonly probes: readonly DependencyProbe[];
      readonly clock: Clock;
      readonly timeoutMs: number;
    },
  ) {}

  async execute(): Promise<Readiness> {
    const dependencies = await Promise.all(this.deps.probes.map((probe) => this.check(probe)));
    return { ready: dependencies.every((dependency) => dependency.status === 'ok'), dependencies };
  }

  private async check(probe: DependencyProbe): Promise<DependencyStatus> {
    const started = this.deps.clock.now().getTime();
    const elapsed = () => this.deps.clock.now().getTime() - started;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.deps.timeoutMs} ms`)), this.deps.timeoutMs);
    });
    try {
      await Promise.race([probe.check(), timeout]);
      return { name: probe.name, status: 'ok', latencyMs: elapsed() };
    } catch (error) {
      return {
        name: probe.name,
        status: 'failed',
        latencyMs: elapsed(),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
