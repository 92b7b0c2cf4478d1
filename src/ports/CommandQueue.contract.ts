import { describe, expect, it } from 'vitest';
import type { Scope } from '../domain/Scope';
import type { SyncCommand } from '../domain/SyncCommand';
import type { CommandQueue } from './CommandQueue';

export interface CommandQueueFixture {
  readonly queue: CommandQueue;
  /** Receives and completes everything deliverable within `waitMs`, in delivery order. */
  receiveAll(waitMs: number): Promise<Array<{ messageId: string; body: unknown }>>;
  /** Makes the consumer fail every delivery of `messageId`, so it ends dead-lettered. */
  failAlways(messageId: string): void;
  cleanup?(): Promise<void>;
}

function command(deliveryId: string, scope = 'GLOBAL'): SyncCommand {
  return { scope: scope as Scope, trigger: 'push', deliveryId, commitSha: 'c'.repeat(40), requestedAt: new Date().toISOString() };
}

/** What every CommandQueue adapter must do, whatever carries the messages. */
export function describeCommandQueueContract(name: string, makeFixture: () => Promise<CommandQueueFixture>): void {
  describe(`CommandQueue contract: ${name}`, () => {
    const withFixture = (test: (fixture: CommandQueueFixture) => Promise<void>) => async () => {
      const fixture = await makeFixture();
      try {
        await test(fixture);
      } finally {
        await fixture.cleanup?.();
      }
    };

    it(
      'delivers a sent command with its message id and an equal body',
      withFixture(async ({ queue, receiveAll }) => {
        expect(await queue.send(command('d-1'), { messageId: 'd-1' })).toBe(true);
        const received = await receiveAll(300);
        expect(received).toHaveLength(1);
        expect(received[0]!.messageId).toBe('d-1');
        const { requestedAt: _sentAt, ...sent } = command('d-1');
        expect(received[0]!.body).toMatchObject(sent);
      }),
    );

    it(
      'defaults the message id to the delivery id and drops duplicates within the window',
      withFixture(async ({ queue, receiveAll }) => {
        expect(await queue.send(command('dup'))).toBe(true);
        expect(await queue.send(command('dup'))).toBe(false);
        expect(await queue.send(command('other'))).toBe(true);
        const ids = (await receiveAll(300)).map((message) => message.messageId).sort();
        expect(ids).toEqual(['dup', 'other']);
      }),
    );

    it(
      'holds a scheduled command until its time',
      withFixture(async ({ queue, receiveAll }) => {
        await queue.send(command('later'), { scheduledAt: new Date(Date.now() + 700) });
        expect(await receiveAll(200)).toHaveLength(0);
        const afterwards = await receiveAll(1_500);
        expect(afterwards.map((message) => message.messageId)).toEqual(['later']);
      }),
    );

    it(
      'dead-letters a command whose deliveries keep failing, keeping the command and the reason',
      withFixture(async ({ queue, receiveAll, failAlways }) => {
        failAlways('poison');
        await queue.send(command('poison', 'org-1'));
        await receiveAll(2_000);
        const dead = await queue.listDeadLetters();
        expect(dead).toHaveLength(1);
        expect(dead[0]).toMatchObject({ messageId: 'poison', reason: 'MaxDeliveryCountExceeded', command: { scope: 'org-1', deliveryId: 'poison' } });
        expect(dead[0]!.deliveryCount).toBeGreaterThan(1);
        expect(dead[0]!.description.length).toBeGreaterThan(0);
      }),
    );
  });
}
