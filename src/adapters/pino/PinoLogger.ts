import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { Logger } from '../../ports/Logger';

/** Field paths whose values never reach a log line. */
const REDACTED_PATHS = [
  'token',
  'secret',
  'password',
  'authorization',
  'connectionString',
  'signature',
  '*.token',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.connectionString',
  '*.signature',
  'headers["x-hub-signature-256"]',
  'headers["x-hub-signature"]',
  'headers.authorization',
  'headers.cookie',
];

export function createPino(level: string, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { service: 'workspace-sync' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** The domain's Logger port on pino. */
export class PinoLogger implements Logger {
  constructor(private readonly pino: Pino) {}

  debug(fields: Record<string, unknown>, message: string): void {
    this.pino.debug(fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.pino.info(fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.pino.warn(fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.pino.error(fields, message);
  }
  child(fields: Record<string, unknown>): Logger {
    return new PinoLogger(this.pino.child(fields));
  }
}
