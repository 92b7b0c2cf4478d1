import type {
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSender,
} from '@azure/service-bus';
import type { Settlement } from '../../domain/sync/Settlement';
import type { CommandConsumer, CommandHandler } from '../../ports/CommandQueue';
import type { Logger } from '../../ports/Logger';
import { toMessage } from './commandMessages';

/**
 * Receives sync commands from a Service Bus queue (peek-lock, locks renewed while a sync runs) and
 * applies each settlement explicitly: complete; retry = schedule the next attempt as a new message,
 * then complete; dead-letter with our reason; a throwing handler abandons (delivery count + 1, and
 * Service Bus dead-letters past MaxDeliveryCount).
 */
export class ServiceBusCommandConsumer implements CommandConsumer {
  private receiver: ServiceBusReceiver | undefined;
  private subscription: { close(): Promise<void> } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sender: ServiceBusSender;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly queueName: string,
    private readonly logger: Logger,
    private readonly maxLockRenewalMs = 10 * 60_000,
  ) {
    this.sender = client.createSender(queueName);
  }

  async start(handler: CommandHandler, options: { readonly concurrency: number }): Promise<void> {
    const receiver = this.client.createReceiver(this.queueName, {
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: this.maxLockRenewalMs,
    });
    this.receiver = receiver;
    this.subscription = receiver.subscribe(
      {
        processMessage: (message) => this.track(this.process(receiver, message, handler)),
        processError: async ({ error, errorSource }) => {
          this.logger.warn({ errorSource, error: error.message }, 'Service Bus receiver error (the SDK reconnects)');
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: options.concurrency },
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await Promise.allSettled([...this.inFlight]);
    await this.receiver?.close();
    await this.sender.close();
  }

  private async process(
    receiver: ServiceBusReceiver,
    message: ServiceBusReceivedMessage,
    handler: CommandHandler,
  ): Promise<void> {
    let settlement: Settlement;
    try {
      settlement = await handler({
        messageId: String(message.messageId ?? ''),
        body: message.body,
        // AMQP's delivery-count counts prior attempts; ours counts this one too.
        deliveryCount: (message.deliveryCount ?? 0) + 1,
        enqueuedAt: message.enqueuedTimeUtc ?? new Date(),
      });
    } catch (error) {
      this.logger.warn(
        { messageId: message.messageId, error: error instanceof Error ? error.message : String(error) },
        'handler failed: message abandoned',
      );
      await receiver.abandonMessage(message);
      return;
    }
    switch (settlement.kind) {
      case 'complete':
        await receiver.completeMessage(message);
        return;
      case 'retry':
        await this.sender.sendMessages(await toMessage(settlement.command, { scheduledAt: settlement.notBefore }));
        await receiver.completeMessage(message);
        return;
      case 'dead-letter':
        await receiver.deadLetterMessage(message, {
          deadLetterReason: settlement.reason,
          deadLetterErrorDescription: settlement.description.slice(0, 4096),
        });
        return;
    }
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }
}
