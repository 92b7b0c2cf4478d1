import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/domain/shared/Scope';
import type { Settlement } from '../../../src/domain/sync/Settlement';
import { commandMessageId, type SyncCommand } from '../../../src/domain/sync/SyncCommand';
import type { CommandConsumer, CommandQueue, ReceivedCommand } from '../../../src/ports/CommandQueue';

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
  return {
    scope: scope as Scope,
    trigger: 'push',
    deliveryId,
    commitSha: 'c'.repeat(40),
    requestedAt: new Date().toISOString(),
  };
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
      (
        test: (
          f: CommandQueueFixture,
          received: ReceivedCommand[],
          setDecision: (d: (m: ReceivedCommand) => Settlement | Promise<Settlement>) => void,
        ) => Promise<void>,
      ) =>
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
        await queue.send(command('p-1'));
        await queue.probe();
        await until(() => received.length === 1, 5_000);
        expect(received.map((message) => message.messageId)).toEqual(['GLOBAL:p-1']);
      }),
    );

    it(
      'opens without sending anything, twice if asked, and sends after it',
      withConsumer(async ({ queue }, received) => {
        await queue.open();
        await queue.open();
        await sleep(300);
        expect(received).toEqual([]);
        await queue.send(command('o-1'));
        await until(() => received.length === 1, 5_000);
        expect(received.map((message) => message.messageId)).toEqual(['GLOBAL:o-1']);
      }),
    );

    it(
      'delivers a sent command under its message id, with an equal body',
      withConsumer(async ({ queue }, received) => {
        await queue.send(command('d-1'));
        await until(() => received.length === 1, 5_000);
        const { requestedAt: _sentAt, ...sent } = command('d-1');
        expect(received[0]).toMatchObject({ messageId: await commandMessageId(sent), deliveryCount: 1, body: sent });
      }),
    );

    it(
      "keys the message id on scope and delivery id: drops a duplicate within the window, keeps another scope's",
      withConsumer(async ({ queue }, received) => {
        await queue.send(command('dup'));
        await queue.send(command('dup'));
        await queue.send(command('dup', 'org-1'));
        await queue.send(command('other'));
        await until(() => received.length >= 3, 5_000);
        await sleep(300);
        expect(received.map((message) => message.messageId).sort()).toEqual([
          'GLOBAL:dup',
          'GLOBAL:other',
          'org-1:dup',
        ]);
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
            ? {
                kind: 'retry',
                command: { ...body, attempt: 2 },
                notBefore: new Date(Date.now() + 500),
                reason: 'Unavailable',
              }
            : { kind: 'complete' };
        });
        await queue.send(command('retry-me'));
        await until(() => received.length === 2, 6_000);
        expect((received[1]!.body as SyncCommand).attempt).toBe(2);
        expect(received.map((message) => message.messageId)).toEqual(['GLOBAL:retry-me', 'GLOBAL:retry-me:attempt-2']);
        expect(received[1]!.enqueuedAt.getTime() - received[0]!.enqueuedAt.getTime()).toBeGreaterThanOrEqual(0);
        await sleep(300);
        expect(received).toHaveLength(2);
        expect(await queue.listDeadLetters()).toEqual([]);
      }),
    );

    it(
      'retries of the longest scope and delivery id keep ids within 128 characters, built from the command, not the last id',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision((message) => {
          const body = message.body as SyncCommand;
          const attempt = body.attempt ?? 1;
          return attempt < 4
            ? {
                kind: 'retry',
                command: { ...body, attempt: attempt + 1 },
                notBefore: new Date(),
                reason: 'Unavailable',
              }
            : { kind: 'complete' };
        });
        const longest = command('d'.repeat(100), `o${'r'.repeat(63)}`);
        await queue.send(longest);
        await until(() => received.length === 4, 10_000);
        const ids = received.map((message) => message.messageId);
        expect(ids).toEqual(
          await Promise.all([1, 2, 3, 4].map((attempt) => commandMessageId({ ...longest, attempt }))),
        );
        expect(new Set(ids).size).toBe(4);
        expect(ids.every((id) => id.length <= 128)).toBe(true);
      }),
    );

    it(
      'a dead-letter settlement keeps the command, the reason and the description',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision(() => ({
          kind: 'dead-letter',
          reason: 'Unauthorized',
          description: 'Unauthorized: token revoked',
        }));
        await queue.send(command('revoked', 'org-1'));
        await until(async () => (await queue.listDeadLetters()).length === 1, 5_000);
        const [letter] = await queue.listDeadLetters();
        expect(letter).toMatchObject({
          messageId: 'org-1:revoked',
          reason: 'Unauthorized',
          description: 'Unauthorized: token revoked',
          command: { scope: 'org-1', deliveryId: 'revoked' },
        });
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
        expect(letter).toMatchObject({
          messageId: 'GLOBAL:poison',
          reason: 'MaxDeliveryCountExceeded',
          deliveryCount: maxDeliveryCount,
        });
        expect(received.map((message) => message.deliveryCount)).toEqual(
          Array.from({ length: maxDeliveryCount }, (_, i) => i + 1),
        );
      }),
    );

    it(
      'replays selected dead letters under new ids (not dropped as duplicates), as replay triggers',
      withConsumer(async ({ queue }, received, setDecision) => {
        setDecision((message) =>
          (message.body as SyncCommand).trigger === 'replay'
            ? { kind: 'complete' }
            : { kind: 'dead-letter', reason: 'SyncRetriesExhausted', description: 'GitHub down' },
        );
        await queue.send(command('a'));
        await queue.send(command('b'));
        await until(async () => (await queue.listDeadLetters()).length === 2, 5_000);
        const result = await queue.replayDeadLetters({ messageIds: ['GLOBAL:a', 'missing'] });
        expect(result.replayed.map((r) => r.messageId)).toEqual(['GLOBAL:a']);
        expect(result.replayed[0]!.newMessageId).not.toBe('GLOBAL:a');
        expect(result.notFound).toEqual(['missing']);
        await until(() => received.some((m) => (m.body as SyncCommand).trigger === 'replay'), 5_000);
        const replay = received.find((m) => (m.body as SyncCommand).trigger === 'replay')!;
        expect(replay.body).toMatchObject({ deliveryId: 'a', scope: 'GLOBAL' });
        expect((replay.body as SyncCommand).attempt ?? 1).toBe(1);
        expect(replay.messageId).toBe(result.replayed[0]!.newMessageId);
        expect((await queue.listDeadLetters()).map((letter) => letter.messageId)).toEqual(['GLOBAL:b']);

        const all = await queue.replayDeadLetters('all');
        expect(all.replayed.map((r) => r.messageId)).toEqual(['GLOBAL:b']);
        await until(
          async () =>
            (await queue.listDeadLetters()).length === 0 &&
            received.filter((m) => (m.body as SyncCommand).trigger === 'replay').length === 2,
          5_000,
        );
      }),
    );

    it(
      'a replay and its retries get ids of their own, not dropped as duplicates of the original attempts',
      withConsumer(async ({ queue }, received, setDecision) => {
        // Each trigger fails once with a retry; the original's second attempt is dead-lettered.
        setDecision((message) => {
          const body = message.body as SyncCommand;
          if ((body.attempt ?? 1) === 1)
            return { kind: 'retry', command: { ...body, attempt: 2 }, notBefore: new Date(), reason: 'Unavailable' };
          return body.trigger === 'replay'
            ? { kind: 'complete' }
            : { kind: 'dead-letter', reason: 'SyncRetriesExhausted', description: 'GitHub down' };
        });
        await queue.send(command('again'));
        await until(async () => (await queue.listDeadLetters()).length === 1, 5_000);
        const [letter] = await queue.listDeadLetters();
        expect(letter!.messageId).toBe('GLOBAL:again:attempt-2');
        await queue.replayDeadLetters('all');
        await until(() => received.length === 4, 5_000);
        const replays = received.filter((message) => (message.body as SyncCommand).trigger === 'replay');
        expect(replays.map((message) => (message.body as SyncCommand).attempt ?? 1)).toEqual([1, 2]);
        expect(new Set(received.map((message) => message.messageId)).size).toBe(4);
        await sleep(300);
        expect(await queue.listDeadLetters()).toEqual([]);
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
