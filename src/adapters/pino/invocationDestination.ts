import type { DestinationStream } from 'pino';

/** The log methods of a Functions invocation context: each carries the invocation id and a severity. */
export interface InvocationLog {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

type Method = keyof InvocationLog;

/** pino's numeric levels to the invocation's methods; there is no `critical` method, so fatal is an error. */
function methodFor(level: unknown): Method {
  if (typeof level !== 'number') return 'info';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}

/**
 * A pino destination for the Functions host. Its worker captures stdout without the invocation, so
 * a line written inside an invocation goes through that invocation's log method instead (Application
 * Insights then records it as a trace of the invocation with the line's severity). Lines come here
 * already serialised and redacted; outside any invocation they go to the fallback, as before.
 */
export function invocationDestination(
  current: () => InvocationLog | undefined,
  fallback: DestinationStream = process.stdout,
): DestinationStream {
  return {
    write(line: string): void {
      const invocation = current();
      if (invocation === undefined) {
        fallback.write(line);
        return;
      }
      const record = line.trimEnd();
      let level: unknown;
      try {
        level = (JSON.parse(record) as { level?: unknown }).level;
      } catch {
        level = undefined;
      }
      invocation[methodFor(level)](record);
    },
  };
}
