import type { Delivery, Receiver, Sender } from 'rhea';
import { message as amqpMessage } from 'rhea';

/**
 * The few rhea 3.0.x behaviours the peer needs that rhea's typings do not declare. Every untyped
 * access to rhea lives here, so an upgrade that moves them breaks in one place.
 */

interface SenderInternals {
  /** Credit left as rhea computes it: remote delivery-count + link-credit - local delivery-count. */
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain(): boolean;
  local: { attach: { snd_settle_mode?: number; rcv_settle_mode?: number } };
}

interface LinkInternals {
  local: { attach: { max_message_size?: number } };
}

interface OutcomeFactory {
  rejected(fields: { error?: AmqpErrorFields }): { described(): unknown };
  accepted(): { described(): unknown };
  is_rejected(outcome: unknown): boolean;
}

interface DescribableOutcome {
  described(): unknown;
}

export interface AmqpErrorFields {
  condition: string;
  description: string;
  info?: Record<string, unknown>;
}

/**
 * The absolute delivery number up to which the client has granted credit (its delivery-count plus
 * link-credit). rhea stores `credit = limit - delivery_count`, so the sum is exact whatever rhea
 * has or has not transferred yet.
 */
export function creditLimit(sender: Sender): number {
  const internals = sender as unknown as SenderInternals;
  return internals.delivery_count + internals.credit;
}

/** Answers the client's attach with its own settle modes (receive-and-delete sends settled). */
export function mirrorSettleModes(sender: Sender): void {
  const internals = sender as unknown as SenderInternals;
  internals.local.attach.snd_settle_mode = sender.snd_settle_mode;
  internals.local.attach.rcv_settle_mode = sender.rcv_settle_mode;
}

/** The SDK sizes message batches by the max-message-size the broker states on its receiving end. */
export function advertiseMaxMessageSize(receiver: Receiver, bytes: number): void {
  (receiver as unknown as LinkInternals).local.attach.max_message_size = bytes;
}

/**
 * rhea flags `drain` on an outgoing flow only while credit is left. When the last deliveries used
 * the credit up while the client's drain request was in flight, the client still waits for a flow
 * with `drain` set (the SDK's receiveMessages does), so the completed drain must always say so.
 */
export function answerDrainEvenWithoutCredit(sender: Sender): void {
  const internals = sender as unknown as SenderInternals;
  internals._get_drain = function getDrain(this: SenderInternals): boolean {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}

/**
 * Settles a delivery the client disposed of, echoing its outcome without any error: an empty
 * state would reach the client as an unrecognised null outcome, and an echoed dead-letter error
 * would make the SDK report the settlement as failed.
 */
export function settleEchoingOutcome(delivery: Delivery): void {
  const outcomes = amqpMessage as unknown as OutcomeFactory;
  const remote = delivery.remote_state as DescribableOutcome | undefined;
  if (remote === undefined || typeof remote.described !== 'function') {
    delivery.update(true, outcomes.accepted().described());
  } else if (outcomes.is_rejected(remote.described())) {
    delivery.update(true, outcomes.rejected({}).described());
  } else {
    delivery.update(true, remote.described());
  }
}

/** Settles a delivery with a `rejected` outcome carrying an error (how Service Bus reports lock loss). */
export function settleRejected(delivery: Delivery, error: AmqpErrorFields): void {
  const outcomes = amqpMessage as unknown as OutcomeFactory;
  delivery.update(true, outcomes.rejected({ error }).described());
}
