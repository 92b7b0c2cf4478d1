import type { Scope } from '../domain/shared/Scope';

/** Why a queue message was dead-lettered, as the worker decided it. */
export interface DeadLetterDecision {
  readonly reason: string;
  readonly description: string;
  readonly at: Date;
}

/**
 * What was already handled, so that a repeat is recognised: webhook deliveries per scope, and the
 * queue messages the worker dead-lettered.
 */
export interface DeliveryRepo {
  /**
   * Records a webhook delivery to a scope; false when this scope already recorded it (a redelivery).
   * GitHub gives every hook of one event the same delivery id, so the same id recorded for another
   * scope is a different delivery. Entries older than the store's retention may be forgotten.
   */
  recordDelivery(deliveryId: string, scope: Scope, at: Date): Promise<boolean>;
  /** Forgets a scope's recorded delivery, so that a redelivery is accepted (used when queueing failed). */
  forgetDelivery(deliveryId: string, scope: Scope): Promise<void>;
  /** Retention: deletes webhook deliveries and dead-letter decisions recorded before `before`; answers how many rows. */
  deleteDeliveriesBefore(before: Date): Promise<number>;

  /**
   * Records that the queue message `messageId` was dead-lettered, so that any worker handed the same
   * message again (a host that abandons instead of dead-lettering redelivers it) settles it without
   * another sync. Recording again replaces the earlier decision; a store may keep only the first
   * 4096 characters of the description (as Service Bus does).
   */
  recordDeadLetterDecision(messageId: string, decision: DeadLetterDecision): Promise<void>;
  /** The dead-letter decision recorded for a queue message, or null. */
  getDeadLetterDecision(messageId: string): Promise<DeadLetterDecision | null>;
}
