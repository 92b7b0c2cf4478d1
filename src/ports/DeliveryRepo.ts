/** Why a queue message was dead-lettered, as the worker decided it. */
export interface DeadLetterDecision {
  readonly reason: string;
  readonly description: string;
  readonly at: Date;
}

/**
 * What the worker already decided about a queue message, so that a repeat is recognised: the
 * messages it dead-lettered. (Webhook deliveries are deduplicated by the queue's duplicate detection
 * on the message id; rows that earlier versions recorded per delivery are only ever pruned.)
 */
export interface DeliveryRepo {
  /** Retention: deletes dead-letter decisions (and webhook delivery rows of earlier versions) recorded before `before`; answers how many rows. */
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
