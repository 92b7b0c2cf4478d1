import type { Delivery, EventContext, Sender } from 'rhea';
import type { SubQueueName } from './entityAddress';
import { deliveryTagForLockToken, lockTokenFromDeliveryTag, unlockedDeliveryTag } from './lockTokens';
import type { PeerQueue, ReceiveMode, Settlement } from './peerQueue';
import type { AmqpErrorFields } from './rheaInternals';
import { answerDrainEvenWithoutCredit, creditLimit, settleEchoingOutcome, settleRejected } from './rheaInternals';
import { conditions } from './serviceErrors';
import { toOutgoingMessage } from './storedMessage';

interface RejectedState {
  error?: { condition?: string; description?: string; info?: Record<string, unknown> | null };
}

interface ModifiedState {
  undeliverable_here?: boolean | null;
  message_annotations?: Record<string, unknown> | null;
}

/**
 * One client receiver attached to a queue or its dead-letter sub-queue (the peer's sending end).
 * Sends exactly as many messages as the client granted credit for, answers drain requests, and
 * turns the client's dispositions into settlements: accepted = complete, modified = abandon
 * (modified with undeliverable-here = defer, refused), rejected = dead-letter (the SDK sends
 * `com.microsoft:dead-letter` with the reason in the error info), released = back without an attempt.
 */
export class DeliveryLink {
  /** Deliveries issued on this link, counted like the AMQP delivery-count (drains included). */
  private issued = 0;
  /** The client's delivery-count + link-credit from its latest flow. */
  private limit = 0;
  private draining = false;
  private pumping = false;
  private pumpAgain = false;
  private readonly stopListening: () => void;

  constructor(
    private readonly sender: Sender,
    private readonly queue: PeerQueue,
    private readonly subQueue: SubQueueName,
    private readonly mode: ReceiveMode,
    private readonly lockLostError: () => AmqpErrorFields,
  ) {
    answerDrainEvenWithoutCredit(sender);
    sender.on('sender_flow', () => {
      this.limit = creditLimit(sender);
      this.draining = false;
      this.pump();
    });
    // rhea raises this right after sender_flow when the flow asked for a drain.
    sender.on('sender_draining', () => {
      this.draining = true;
      this.pump();
    });
    sender.on('accepted', (context: EventContext) => this.settle(context, { kind: 'complete' }));
    sender.on('released', (context: EventContext) => this.settle(context, { kind: 'release' }));
    sender.on('modified', (context: EventContext) => {
      if (isDeferral(context)) this.refuseDeferral(context);
      else this.settle(context, abandonSettlement(context));
    });
    sender.on('rejected', (context: EventContext) => this.settle(context, rejectedSettlement(context)));
    this.stopListening = queue.onAvailable((subQueue) => {
      if (subQueue === this.subQueue) this.pump();
    });
  }

  close(): void {
    this.stopListening();
  }

  /** Delivers what credit allows; then, if the client asked to drain, gives back the rest of the credit. */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.deliverWithinCredit();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private deliverWithinCredit(): void {
    if (!this.sender.is_open()) return;
    while (this.issued < this.limit) {
      const stored = this.queue.acquire(this.subQueue, this.mode, Date.now());
      if (stored === undefined) break;
      const tag = stored.lock === undefined ? unlockedDeliveryTag() : deliveryTagForLockToken(stored.lock.token);
      this.sender.send(toOutgoingMessage(stored), tag);
      this.issued++;
    }
    if (this.draining) {
      // Nothing more to send now: the unused credit is consumed and the flow says drain.
      this.draining = false;
      this.issued = Math.max(this.issued, this.limit);
      this.sender.set_drained(true);
    }
  }

  /** Deferral needs receive-by-sequence-number, which the peer does not model: say so, keep the lock. */
  private refuseDeferral(context: EventContext): void {
    if (context.delivery === undefined) return;
    settleRejected(context.delivery, {
      condition: conditions.notImplemented,
      description: 'Deferring messages is not supported by the Service Bus test peer.',
    });
  }

  private settle(context: EventContext, settlement: Settlement): void {
    const delivery: Delivery | undefined = context.delivery;
    if (delivery === undefined || this.mode === 'receiveAndDelete') return;
    const result = this.queue.settle(lockTokenFromDeliveryTag(delivery.tag), settlement, Date.now());
    // Every disposition is settled back; only a lost lock carries an error (the SDK rejects with it).
    if (result === 'lockLost') settleRejected(delivery, this.lockLostError());
    else settleEchoingOutcome(delivery);
  }
}

/** The SDK defers with modified + undeliverable-here and abandons with undeliverable-here false. */
function isDeferral(context: EventContext): boolean {
  return ((context.delivery?.remote_state ?? {}) as ModifiedState).undeliverable_here === true;
}

function abandonSettlement(context: EventContext): Settlement {
  const state = (context.delivery?.remote_state ?? {}) as ModifiedState;
  const propertiesToModify = state.message_annotations ?? undefined;
  return propertiesToModify === undefined ? { kind: 'abandon' } : { kind: 'abandon', propertiesToModify };
}

function rejectedSettlement(context: EventContext): Settlement {
  const state = (context.delivery?.remote_state ?? {}) as RejectedState;
  const error = state.error;
  if (error?.condition !== conditions.deadLetter) {
    // A plain reject without the Service Bus condition still dead-letters, as the service does.
    return {
      kind: 'deadLetter',
      properties: { DeadLetterReason: error?.condition, DeadLetterErrorDescription: error?.description },
    };
  }
  return { kind: 'deadLetter', properties: { ...(error.info ?? {}) } };
}
