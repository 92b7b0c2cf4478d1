import { describe, expect, it } from 'vitest';
import { PeerQueue } from '../support/service-bus-peer/peerQueue';

describe('the Service Bus peer: duplicate detection', () => {
  const send = (queue: PeerQueue, id: string, now: number) =>
    queue.enqueue({ message_id: id, body: id }, now).duplicate;

  it('forgets each id once its own window has passed, also for an id seen again after it expired', () => {
    const queue = new PeerQueue('q', { duplicateDetectionWindowMs: 1_000 });
    expect(send(queue, 'a', 0)).toBe(false);
    expect(send(queue, 'b', 500)).toBe(false);
    expect(send(queue, 'b', 999)).toBe(true);
    expect(send(queue, 'a', 1_000)).toBe(false); // a's window ended; b's has not
    expect(send(queue, 'b', 1_400)).toBe(true);
    expect(send(queue, 'b', 1_600)).toBe(false);
    expect(send(queue, 'a', 1_700)).toBe(true); // seen again at 1,000: a window of its own from then
    expect(send(queue, 'a', 2_000)).toBe(false);
    expect(queue.stats(2_000).active).toBe(5);
  });

  it('does not take an expired id for a duplicate when the clock steps back between sends', () => {
    const queue = new PeerQueue('q', { duplicateDetectionWindowMs: 1_000 });
    expect(send(queue, 'late', 5_000)).toBe(false);
    expect(send(queue, 'early', 1_000)).toBe(false); // the clock stepped back
    // At 5,500 'early' (seen at 1,000) has expired, though it sits behind the live 'late'.
    expect(send(queue, 'early', 5_500)).toBe(false);
    expect(send(queue, 'late', 5_600)).toBe(true);
  });
});
