import { describe, expect, it } from 'vitest';
import type { Settlement } from '../domain/Settlement';
import type { Scope } from '../domain/Scope';
import type { SyncCommand } from '../domain/SyncCommand';
import type { CommandConsumer, CommandQueue, ReceivedCommand } from './CommandQueue';

export interface CommandQueueFixture {
  readonly queue: CommandQueue;
  readonly consumer: CommandConsumer;
  /** The queue's MaxDeliveryCount (keep it small, e.g. 3). */
  readonly maxDeliveryCount: number;
  /** Enqueues an arbitrary body, as a foreign producer could. */
  sendRaw(body: unknown, messageId: string): Promise<void>;
  cleanup?(): Promise<void>;
}

function command(deliveryId: string, scope = 'GLOBAL'): SyncCommand {
  return { scope: scope as Scope, trigger: 'push', deliveryId, commitSha: 'c'.repeat(40), requestedAt: new Date().toISOString() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * What every CommandQueue/CommandConsumer pair must do, whatever carries the messages: Service Bus
 * semantics for ids, scheduling, delivery counts, settlements, and dead-letter list/replay/purge.
 */
export function describeCommandQueueContract(name: string, makeFixture: () => Promise<CommandQueueFixture>): void {
  describe(`CommandQueue contract: ${name}`, () => {
    /** Starts the consumer; `decide` settles each delivery (default: complete). */
    const withConsumer =
      (test: (f: CommandQueueFixture, received: ReceivedCommand[], setDecision: (d: (m: ReceivedCommand) => Settlement | Promise<Settlement>) => void) => Promise<void>) =>
      async () => {
        const fixture = await makeFixture();
        const received: ReceivedCommand[] = [];
        let decide: (m: ReceivedCommand) => Settlement | Promise<Settlement> = () => ({ kind: 'complete' });
        try {
          await fixture.consumer.start(
            async (message) => {
              received.push(message);
              return decide(message);
            },
            { concurrency: 2 },
          );
          await test(fixture, received, (d) => (decide = d));
        } finally {
          await fixture.consumer.stop();
          await fixture.cleanup?.();
        }
      };

    it(
      'answers a probe without consuming anything',
      withConsumer(async ({ queue }, received) => {
        await queue.probe();
        await queue.send(command('p-1'), { messageId: 'p-1' });
        await queue.probe();
        await until(() => received.length === 1, 5_000);
        expect(received.map((message) => message.messageId)).toEqual(['p-1']);
      }),
    );

    it(
      'delivers a sent command with its message id and an equal body',
      withConsumer(async ({ queue }, received) => {
        await queue.send(command('d-1'), { messageId: 'd-1' });
        await until(() => received.length === 1, 5_000);
        const { requestedAt: _sentAt, ...sent } = command('d-1');
        expect(received[0]).toMatchObject({ messageId: 'd-1', deliveryCount: 1, body: sent });
      }),
    );

    it(
      'defaults the message id to the delivery id and drops a duplicate id within the window',
      withConsumer(async ({ queue }, received) => {
        await queue.send(command('dup'));
        await queue.send(command('dup'));
        await queue.send(command('other'));
        await until(() => received.length >= 2, 5_000);
        await sleep(300);
        expect(received.map((message) => message.messageId).sort()).toEqual(['dup', 'other']);
      }),
    );

    it(
      'holds a scheduled command until its time',
      withConsumer(async ({ queue }, received) => {
        const due = Date.now() + 1_200;
        await queue.send(command('later'), { scheduledAt: new Date(due) });
        await sleep(400);
        expect(received).toHaveLength(0);
        await until(() => received.length === 1, 6_000);
        expect(Date.now()).toBeGreaterThanOrEqual(due - 50);
      }),
    );

    it(
      'a retry settlement completes the delivery and sends the next attempt, due later',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision((message) => {
          const body = message.body as SyncCommand;
          return (body.attempt ?? 1) < 2
            ? { kind: 'retry', command: { ...body, attempt: 2 }, notBefore: new Date(Date.now() + 500), reason: 'Unavailable' }
            : { kind: 'complete' };
        });
        await queue.send(command('retry-me'));
        await until(() => received.length === 2, 6_000);
        expect((received[1]!.body as SyncCommand).attempt).toBe(2);
        expect(received[1]!.messageId).not.toBe('retry-me');
        expect(received[1]!.enqueuedAt.getTime() - received[0]!.enqueuedAt.getTime()).toBeGreaterThanOrEqual(0);
        await sleep(300);
        expect(received).toHaveLength(2);
        expect(await queue.listDeadLetters()).toEqual([]);
      }),
    );

    it(
      'a dead-letter settlement keeps the command, the reason and the description',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision(() => ({ kind: 'dead-letter', reason: 'Unauthorized', description: 'Unauthorized: token revoked' }));
        await queue.send(command('revoked', 'org-1'));
        await until(async () => (await queue.listDeadLetters()).length === 1, 5_000);
        const [letter] = await queue.listDeadLetters();
        expect(letter).toMatchObject({ messageId: 'revoked', reason: 'Unauthorized', description: 'Unauthorized: token revoked', command: { scope: 'org-1', deliveryId: 'revoked' } });
        expect(received).toHaveLength(1);
      }),
    );

    it(
      'dead-letters a delivery that keeps failing, past the max delivery count',
      withConsumer(async ({ queue, maxDeliveryCount }, received, setDecision) => {
        setDecision(() => {
          throw new Error('worker crashed');
        });
        await queue.send(command('poison'));
        await until(async () => (await queue.listDeadLetters()).length === 1, 15_000);
        const [letter] = await queue.listDeadLetters();
        expect(letter).toMatchObject({ messageId: 'poison', reason: 'MaxDeliveryCountExceeded', deliveryCount: maxDeliveryCount });
        expect(received.map((message) => message.deliveryCount)).toEqual(Array.from({ length: maxDeliveryCount }, (_, i) => i + 1));
      }),
    );

    it(
      'replays selected dead letters under new ids (not dropped as duplicates), as replay triggers',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision((message) =>
          (message.body as SyncCommand).trigger === 'replay' ? { kind: 'complete' } : { kind: 'dead-letter', reason: 'SyncRetriesExhausted', description: 'GitHub down' },
        );
        await queue.send(command('a'));
        await queue.send(command('b'));
        await until(async () => (await queue.listDeadLetters()).length === 2, 5_000);
        const result = await queue.replayDeadLetters({ messageIds: ['a', 'missing'] });
        expect(result.replayed.map((r) => r.messageId)).toEqual(['a']);
        expect(result.replayed[0]!.newMessageId).not.toBe('a');
        expect(result.notFound).toEqual(['missing']);
        await until(() => received.some((m) => (m.body as SyncCommand).trigger === 'replay'), 5_000);
        const replay = received.find((m) => (m.body as SyncCommand).trigger === 'replay')!;
        expect(replay.body).toMatchObject({ deliveryId: 'a', scope: 'GLOBAL' });
        expect((replay.body as SyncCommand).attempt ?? 1).toBe(1);
        expect((await queue.listDeadLetters()).map((letter) => letter.messageId)).toEqual(['b']);

        const all = await queue.replayDeadLetters('all');
        expect(all.replayed.map((r) => r.messageId)).toEqual(['b']);
        await until(async () => (await queue.listDeadLetters()).length === 0 && received.filter((m) => (m.body as SyncCommand).trigger === 'replay').length === 2, 5_000);
      }),
    );

    it(
      'keeps unparseable dead letters out of replays, and purges everything',
      withConsumer(async ({ queue, sendRaw }, _received, setDecision) => {
        setDecision((message) =>
          typeof message.body === 'object' && message.body !== null && 'scope' in message.body
            ? { kind: 'dead-letter', reason: 'BranchNotFound', description: 'gone' }
            : { kind: 'dead-letter', reason: 'MalformedCommand', description: 'not a command' },
        );
        await sendRaw('not a command', 'junk');
        await queue.send(command('c'));
        await until(async () => (await queue.listDeadLetters()).length === 2, 5_000);
        const junk = (await queue.listDeadLetters()).find((letter) => letter.messageId === 'junk');
        expect(junk).toMatchObject({ reason: 'MalformedCommand', command: null });
        const result = await queue.replayDeadLetters({ messageIds: ['junk'] });
        expect(result).toEqual({ replayed: [], notFound: [], notReplayable: ['junk'] });
        expect(await queue.purgeDeadLetters()).toBe(2);
        expect(await queue.listDeadLetters()).toEqual([]);
      }),
    );
  });
}
