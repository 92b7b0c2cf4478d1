import { Writable } from 'node:stream';
import { createPino, PinoLogger } from '../../src/adapters/pino/PinoLogger';

/** A real pino logger whose lines are kept in memory, so tests can assert what is (not) logged. */
export function captureLogger(level = 'debug'): { logger: PinoLogger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = new PinoLogger(createPino(level, sink));
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().split('\n').filter(Boolean) };
}
