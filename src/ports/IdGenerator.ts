/**
 * Where new identifiers come from (run ids, manual delivery ids, lease holders, replay ids), so the
 * domain stays free of randomness and a test can predict them, as it predicts time with a Clock.
 */
export interface IdGenerator {
  /**
   * A new identifier, never returned before: ASCII letters, digits and `-` only, at most 64
   * characters, so it fits a Service Bus message id and an Azure Tables key as it is.
   */
  newId(): string;
}
