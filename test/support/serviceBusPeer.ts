/**
 * An in-process AMQP 1.0 peer that speaks the Azure Service Bus dialect well enough for
 * `@azure/service-bus` 7.9 (connection string with `UseDevelopmentEmulator=true`) to run unmodified:
 * plain TCP on 127.0.0.1, SASL ANONYMOUS, CBS put-token always accepted, queues with peek-lock and
 * receive-and-delete receivers, exact credit and drain, locks with expiry and renewal, abandon and
 * dead-letter (MaxDeliveryCountExceeded included), the `<queue>/$DeadLetterQueue` sub-queue,
 * duplicate detection by MessageId, scheduled messages, and the `$management` operations renew-lock,
 * peek-message, schedule-message, cancel-scheduled-message and update-disposition.
 *
 * Simplifications (on purpose, for tests): no sessions, no transactions, no topics or subscriptions,
 * no partitioning, no deferral (defer is refused with amqp:not-implemented), no auto-forwarding, no
 * size or quota limits, no authorization (any token is accepted); message TTL is only the header
 * TTL, checked lazily when messages are received, peeked or counted; unknown entities are refused
 * at attach (the cloud service may already refuse the CBS token); everything lives in memory.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Connection, Container, EventContext, Receiver, Sender } from 'rhea';
import { create_container } from 'rhea';
import { DeliveryLink } from './service-bus-peer/deliveryLink';
import type { EntityAddress } from './service-bus-peer/entityAddress';
import { entityPath, parseEntityAddress } from './service-bus-peer/entityAddress';
import { messagesOfTransfer, transferSize } from './service-bus-peer/incomingTransfers';
import { answerManagementRequest } from './service-bus-peer/managementNode';
import type { PeerQueueOptions, QueueStats } from './service-bus-peer/peerQueue';
import { PeerQueue } from './service-bus-peer/peerQueue';
import { managementReplyMessage, putTokenReply, ReplyRoutes } from './service-bus-peer/requestReplies';
import type { AmqpErrorFields } from './service-bus-peer/rheaInternals';
import { advertiseMaxMessageSize, mirrorSettleModes, settleRejected } from './service-bus-peer/rheaInternals';
import {
  entityNotFound,
  lockLost,
  messageSizeExceeded,
  sendToDeadLetterNotAllowed,
} from './service-bus-peer/serviceErrors';

export type { PeerQueueOptions, QueueStats } from './service-bus-peer/peerQueue';

/** Standard tier's message size limit; the SDK sizes batches by what the broker advertises. */
const MAX_MESSAGE_SIZE_BYTES = 256 * 1024;

export class ServiceBusPeer {
  private readonly queues = new Map<string, PeerQueue>();
  private readonly sockets = new Set<Socket>();
  private readonly deliveryLinks = new Map<Sender, DeliveryLink>();
  private readonly linksByConnection = new Map<Connection, Set<Sender>>();
  /** Sender links clients attached, by queue (lower case), over the peer's life. */
  private readonly senderAttaches = new Map<string, number>();
  private readonly replies = new ReplyRoutes();
  private readonly container: Container;
  private server: Server | undefined;

  private constructor() {
    this.container = create_container({
      id: 'service-bus-peer',
      // Abandon (modified) and release are different settlements here; rhea merges them by default.
      sender_options: { treat_modified_as_released: false },
      // Incoming messages are accepted only once stored.
      receiver_options: { autoaccept: false, credit_window: 500 },
    });
    this.container.on('sender_open', (context: EventContext) => this.onClientReceiverAttached(context));
    this.container.on('receiver_open', (context: EventContext) => this.onClientSenderAttached(context));
    this.container.on('sender_close', (context: EventContext) => this.onSenderDetached(context));
    this.container.on('connection_close', (context: EventContext) => this.forgetConnection(context.connection));
    this.container.on('disconnected', (context: EventContext) => this.forgetConnection(context.connection));
    // Link and connection errors from clients are theirs to report; the peer must not crash on them.
    this.container.on('error', () => undefined);
  }

  static async start(options: { queues?: Record<string, PeerQueueOptions> } = {}): Promise<ServiceBusPeer> {
    const peer = new ServiceBusPeer();
    for (const [name, queueOptions] of Object.entries(options.queues ?? {})) peer.createQueue(name, queueOptions);
    await peer.listen();
    return peer;
  }

  get port(): number {
    return (this.listeningServer().address() as AddressInfo).port;
  }

  /** Endpoint=sb://127.0.0.1:<port>;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true; */
  get connectionString(): string {
    return (
      `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=RootManageSharedAccessKey;` +
      'SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;'
    );
  }

  /** Entity names are case-insensitive, as in Service Bus. Recreating an existing queue is an error. */
  createQueue(name: string, options: PeerQueueOptions = {}): void {
    const key = name.toLowerCase();
    if (this.queues.has(key)) throw new Error(`Queue '${name}' already exists`);
    this.queues.set(key, new PeerQueue(name, options));
  }

  /** Inspection for tests: active (visible, unlocked), scheduled, locked and dead-lettered counts. */
  stats(queue: string): QueueStats {
    const found = this.queues.get(queue.toLowerCase());
    if (found === undefined) throw new Error(`Queue '${queue}' does not exist`);
    return found.stats(Date.now());
  }

  /** Inspection for tests: how many sender links clients have attached to the queue, ever. */
  sendersAttached(queue: string): number {
    return this.senderAttaches.get(queue.toLowerCase()) ?? 0;
  }

  /** Forcibly drops every client connection (simulates a network failure). Locks stay until they expire. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy(new Error('connection dropped by the Service Bus test peer'));
  }

  async stop(): Promise<void> {
    for (const link of this.deliveryLinks.values()) link.close();
    this.deliveryLinks.clear();
    for (const queue of this.queues.values()) queue.dispose();
    // With an error, rhea sees the disconnect and clears its heartbeat timers.
    for (const socket of this.sockets) socket.destroy(new Error('Service Bus test peer stopped'));
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = this.container.listen({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket: Socket) => {
      // Replies go out at once. With Nagle's algorithm on (a net server's default), a disposition
      // written while the previous frame was still unacknowledged waited for the client's delayed
      // ACK, up to 40 ms on Linux: every few hundred sends, a whole batch of webhooks stalled.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.server = server;
  }

  private listeningServer(): Server {
    if (this.server === undefined) throw new Error('The Service Bus peer is not listening');
    return this.server;
  }

  private get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A client receiver: a queue or DLQ consumer, or the reply end of `$cbs` / `$management`. */
  private onClientReceiverAttached(context: EventContext): void {
    const sender = context.sender;
    if (sender === undefined) return;
    const rawAddress = sender.source?.address;
    const address = parseEntityAddress(rawAddress);
    const queue = this.queueFor(address);
    if (address === undefined || (address.kind !== 'cbs' && queue === undefined)) {
      this.refuse(sender, entityNotFound(this.host, rawAddress ?? ''));
      return;
    }
    echoTermini(sender);
    mirrorSettleModes(sender);
    if (address.kind === 'cbs' || address.kind === 'management' || queue === undefined) {
      this.replies.add(context.connection, sender);
      return;
    }
    // The SDK asks for settled transfers (snd-settle-mode settled) in receive-and-delete mode.
    const mode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const path = entityPath(queue.name, address.subQueue);
    const link = new DeliveryLink(sender, queue, address.subQueue, mode, () => lockLost(this.host, path));
    this.deliveryLinks.set(sender, link);
    this.trackLink(context.connection, sender);
  }

  /** A client sender: messages for a queue, or requests to `$cbs` / `$management`. */
  private onClientSenderAttached(context: EventContext): void {
    const receiver = context.receiver;
    if (receiver === undefined) return;
    const rawAddress = receiver.target?.address;
    const address = parseEntityAddress(rawAddress);
    if (address?.kind === 'cbs') {
      echoTermini(receiver);
      receiver.on('message', (request: EventContext) => {
        request.delivery?.accept();
        if (request.message !== undefined) this.replies.reply(request.connection, request.message, putTokenReply());
      });
      return;
    }
    const queue = this.queueFor(address);
    if (address === undefined || queue === undefined) {
      this.refuse(receiver, entityNotFound(this.host, rawAddress ?? ''));
      return;
    }
    if (address.kind === 'management') {
      echoTermini(receiver);
      const path = entityPath(queue.name, address.subQueue);
      receiver.on('message', (request: EventContext) => {
        request.delivery?.accept();
        if (request.message === undefined) return;
        const scope = { queue, subQueue: address.subQueue, host: this.host, path, now: Date.now() };
        const reply = answerManagementRequest(request.message, scope);
        this.replies.reply(request.connection, request.message, managementReplyMessage(reply));
      });
      return;
    }
    if (address.subQueue === 'deadLetter') {
      this.refuse(receiver, sendToDeadLetterNotAllowed(this.host, rawAddress ?? ''));
      return;
    }
    const key = queue.name.toLowerCase();
    this.senderAttaches.set(key, (this.senderAttaches.get(key) ?? 0) + 1);
    echoTermini(receiver);
    advertiseMaxMessageSize(receiver, MAX_MESSAGE_SIZE_BYTES);
    receiver.on('message', (transfer: EventContext) => {
      const payload = transfer.message;
      const size = payload === undefined ? 0 : transferSize(payload);
      if (size > MAX_MESSAGE_SIZE_BYTES && transfer.delivery) {
        // As Service Bus: the whole transfer is refused, nothing of it is queued.
        settleRejected(transfer.delivery, messageSizeExceeded(this.host, queue.name, size, MAX_MESSAGE_SIZE_BYTES));
        return;
      }
      if (payload !== undefined) {
        const now = Date.now();
        for (const message of messagesOfTransfer(payload, transfer.delivery?.format)) queue.enqueue(message, now);
      }
      transfer.delivery?.accept();
    });
  }

  private queueFor(address: EntityAddress | undefined): PeerQueue | undefined {
    if (address === undefined || address.kind === 'cbs') return undefined;
    return this.queues.get(address.queue.toLowerCase());
  }

  /** Like the service: the attach is answered without a terminus and immediately detached with the error. */
  private refuse(link: Sender | Receiver, error: AmqpErrorFields): void {
    link.close({ condition: error.condition, description: error.description });
  }

  private trackLink(connection: Connection, sender: Sender): void {
    let links = this.linksByConnection.get(connection);
    if (links === undefined) {
      links = new Set();
      this.linksByConnection.set(connection, links);
    }
    links.add(sender);
  }

  private onSenderDetached(context: EventContext): void {
    const sender = context.sender;
    if (sender === undefined) return;
    this.deliveryLinks.get(sender)?.close();
    this.deliveryLinks.delete(sender);
    this.linksByConnection.get(context.connection)?.delete(sender);
    this.replies.remove(context.connection, sender);
  }

  private forgetConnection(connection: Connection): void {
    for (const sender of this.linksByConnection.get(connection) ?? []) {
      this.deliveryLinks.get(sender)?.close();
      this.deliveryLinks.delete(sender);
    }
    this.linksByConnection.delete(connection);
    this.replies.forget(connection);
  }
}

/** An accepted link answers with the client's own source and target addresses. */
function echoTermini(link: Sender | Receiver): void {
  link.set_source({ address: link.source?.address ?? '' });
  link.set_target({ address: link.target?.address ?? '' });
}
