import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';

interface Waiting {
  readonly message: ServiceBusMessage;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends messages with one send out at a time (group commit): a message that comes while the queue is
 * idle goes at once, alone; those that come while a send is out go together in the next one, as
 * one batch the SDK sizes to what the namespace takes. Under a burst of webhooks this is a few
 * round trips instead of one per delivery, and the SDK's and the broker's work per message falls
 * (issue #10: webhook p99). Each caller learns its own message's fate: a failed batch fails every
 * message in it, and duplicate detection (the message id) makes sending any of them again safe.
 */
export class CoalescingSender {
  private waiting: Waiting[] = [];
  private sending = false;

  constructor(private readonly sender: ServiceBusSender) {}

  send(message: ServiceBusMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      if (!this.sending) void this.sendWaiting();
    });
  }

  private async sendWaiting(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      let group: Waiting[] = [];
      try {
        const batch = this.waiting.length > 1 ? await this.sender.createMessageBatch() : undefined;
        let count = 0;
        for (const { message } of this.waiting) {
          if (!batch?.tryAddMessage(message)) break;
          count++;
        }
        // One message, or one no batch takes, goes alone: for the latter the namespace's answer says why.
        group = this.waiting.splice(0, Math.max(1, count));
        const [first] = group;
        if (first) await this.sender.sendMessages(batch && count > 0 ? batch : first.message);
        for (const { resolve } of group) resolve();
      } catch (error) {
        // Before a group was taken (no batch could be made), every waiting message shares the failure.
        if (group.length === 0) group = this.waiting.splice(0);
        for (const { reject } of group) reject(error);
      }
    }
    this.sending = false;
  }
}
