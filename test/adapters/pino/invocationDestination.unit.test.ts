import { Writable } from 'node:stream';
import { InvocationContext, type LogLevel } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { invocationDestination } from '../../../src/adapters/pino/invocationDestination';
import { createPino, PinoLogger } from '../../../src/adapters/pino/PinoLogger';
import { currentInvocation, withInvocation } from '../../../src/functions/invocationScope';

/** A real InvocationContext whose log handler (what the Functions worker sends to the host) is recorded. */
function recordedContext(invocationId: string): {
  context: InvocationContext;
  logged: { level: LogLevel; message: string }[];
} {
  const logged: { level: LogLevel; message: string }[] = [];
  const context = new InvocationContext({
    invocationId,
    functionName: 'syncWorker',
    logHandler: (level, ...args) => logged.push({ level, message: args.map(String).join(' ') }),
  });
  return { context, logged };
}

function stdoutStandIn(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8').trimEnd());
      done();
    },
  });
  return { stream, lines };
}

describe('invocationDestination', () => {
  it('sends each record to its invocation context with the severity of its level', async () => {
    const { stream, lines } = stdoutStandIn();
    const pino = createPino('trace', invocationDestination(currentInvocation, stream));
    const { context, logged } = recordedContext('invocation-1');
    await withInvocation(context, async () => {
      await Promise.resolve(); // across awaits, as handlers log
      pino.trace('t');
      pino.debug('d');
      pino.info({ scope: 'contoso' }, 'i');
      pino.warn('w');
      pino.error('e');
      pino.fatal('f');
    });
    expect(logged.map(({ level }) => level)).toEqual(['trace', 'debug', 'information', 'warning', 'error', 'error']);
    expect(logged.map(({ message }) => (JSON.parse(message) as { msg: string }).msg)).toEqual([
      't',
      'd',
      'i',
      'w',
      'e',
      'f',
    ]);
    expect(JSON.parse(logged[2]!.message)).toMatchObject({ scope: 'contoso', service: 'workspace-sync', level: 30 });
    expect(lines).toEqual([]); // not twice: the host would record stdout as well
  });

  it('keeps concurrent invocations apart, and writes to the fallback outside any invocation', async () => {
    const { stream, lines } = stdoutStandIn();
    const logger = new PinoLogger(createPino('info', invocationDestination(currentInvocation, stream)));
    const first = recordedContext('a');
    const second = recordedContext('b');
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await Promise.all([
      withInvocation(first.context, async () => {
        await tick();
        logger.info({}, 'from a');
      }),
      withInvocation(second.context, async () => {
        logger.child({ run: 'r' }).warn({}, 'from b');
        await tick();
      }),
    ]);
    logger.info({}, 'between invocations');
    expect(first.logged.map(({ message }) => JSON.parse(message).msg)).toEqual(['from a']);
    expect(second.logged).toEqual([{ level: 'warning', message: expect.stringContaining('"msg":"from b"') }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['between invocations']);
  });

  it('forwards only redacted records', async () => {
    const logger = new PinoLogger(createPino('info', invocationDestination(currentInvocation, stdoutStandIn().stream)));
    const { context, logged } = recordedContext('c');
    await withInvocation(context, async () => {
      logger.error(
        { token: 'ghp_SECRET1', headers: { authorization: 'Bearer SECRET2' }, connection: { secret: 'SECRET3' } },
        'failed',
      );
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).not.toMatch(/SECRET/);
    expect(JSON.parse(logged[0]!.message)).toMatchObject({
      token: '[redacted]',
      headers: { authorization: '[redacted]' },
      msg: 'failed',
    });
  });
});
