import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, EventContext, Receiver } from 'rhea';
import { create_container } from 'rhea';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceBusPeer } from '../support/serviceBusPeer';

/**
 * Credit and drain at the AMQP level, with a bare rhea client: the SDK hides both (an unanswered
 * drain only costs it a timeout and a new link), so these properties are checked on the wire.
 */
describe('ServiceBusPeer credit and drain on the wire', () => {
  let peer: ServiceBusPeer;
  let connection: Connection;

  beforeEach(async () => {
    peer = await ServiceBusPeer.start({ queues: { work: {} } });
    connection = create_container({ id: 'protocol-test' }).connect({
      host: '127.0.0.1',
      port: peer.port,
      reconnect: false,
    });
    await once(connection, 'connection_open', { signal: AbortSignal.timeout(20_000) });
  });

  afterEach(async () => {
    if (connection?.is_open()) {
      connection.close();
      await once(connection, 'connection_close', { signal: AbortSignal.timeout(20_000) });
    }
    await peer?.stop();
  });

  async function enqueue(count: number): Promise<void> {
    const sender = connection.open_sender('work');
    await once(sender, 'sendable', { signal: AbortSignal.timeout(20_000) });
    let accepted = 0;
    sender.on('accepted', () => accepted++);
    for (let n = 0; n < count; n++) sender.send({ body: `m${n}` });
    // Waits for the outcome (bounded by the test's timeout), rather than judging it after 3 s.
    await vi.waitFor(() => expect(accepted).toBe(count), { timeout: 20_000, interval: 10 });
    sender.close();
  }

  async function peekLockReceiver(): Promise<{ receiver: Receiver; bodies: unknown[] }> {
    const receiver = connection.open_receiver({
      source: { address: 'work' },
      credit_window: 0,
      autoaccept: false,
      rcv_settle_mode: 1,
    });
    const bodies: unknown[] = [];
    receiver.on('message', (context: EventContext) => bodies.push(context.message?.body));
    await once(receiver, 'receiver_open', { signal: AbortSignal.timeout(20_000) });
    return { receiver, bodies };
  }

  it('answers a drain on an empty queue with a flow that gives the credit back', async () => {
    const { receiver } = await peekLockReceiver();
    receiver.add_credit(5);
    receiver.drain_credit();
    await once(receiver, 'receiver_drained', { signal: AbortSignal.timeout(20_000) });
  });

  it('still answers the drain when the deliveries used the credit up', async () => {
    await enqueue(3);
    const { receiver, bodies } = await peekLockReceiver();
    receiver.add_credit(3);
    receiver.drain_credit(); // the same flow carries the credit and the drain request
    await once(receiver, 'receiver_drained', { signal: AbortSignal.timeout(20_000) });
    expect(bodies).toEqual(['m0', 'm1', 'm2']);
    expect(peer.stats('work')).toMatchObject({ active: 0, locked: 3 });
  });

  it('sends exactly as many messages as the credit allows, then the rest when credit comes', async () => {
    await enqueue(5);
    const { receiver, bodies } = await peekLockReceiver();
    receiver.add_credit(2);
    // The two the credit allows arrive (however slowly), and a while later still no third one.
    await vi.waitFor(() => expect(bodies).toHaveLength(2), { timeout: 20_000, interval: 20 });
    await sleep(300);
    expect(bodies).toEqual(['m0', 'm1']);
    expect(peer.stats('work')).toMatchObject({ active: 3, locked: 2 });
    receiver.add_credit(10);
    await vi.waitFor(() => expect(bodies).toHaveLength(5), { timeout: 20_000, interval: 20 });
    expect(bodies).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
