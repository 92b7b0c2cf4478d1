import type { Connection, Message, Sender } from 'rhea';
import { types as amqpTypes } from 'rhea';
import type { ManagementReply } from './managementNode';

/**
 * Request/response nodes (`$cbs`, `<entity>/$management`) answer on the client's own reply link,
 * the receiver whose target address or, lacking one, whose link name equals the requests'
 * `reply_to` (the SDK's CBS receiver has no target address). The peer remembers them per connection.
 */
export class ReplyRoutes {
  private readonly byConnection = new Map<Connection, Map<string, Sender>>();

  add(connection: Connection, sender: Sender): void {
    let routes = this.byConnection.get(connection);
    if (routes === undefined) {
      routes = new Map();
      this.byConnection.set(connection, routes);
    }
    routes.set(sender.name, sender);
    const targetAddress = sender.target?.address;
    if (targetAddress !== undefined && targetAddress !== '') routes.set(targetAddress, sender);
  }

  remove(connection: Connection, sender: Sender): void {
    const routes = this.byConnection.get(connection);
    if (routes === undefined) return;
    for (const [address, candidate] of routes) {
      if (candidate === sender) routes.delete(address);
    }
  }

  forget(connection: Connection): void {
    this.byConnection.delete(connection);
  }

  /** Sends the reply when the client's reply link is there; a request without one cannot be answered. */
  reply(connection: Connection, request: Message, reply: Message): void {
    const replyTo: unknown = request.reply_to;
    if (typeof replyTo !== 'string') return;
    const sender = this.byConnection.get(connection)?.get(replyTo);
    if (sender === undefined || !sender.is_open()) return;
    sender.send({ ...reply, correlation_id: request.message_id, to: replyTo });
  }
}

/** CBS: the emulator dialect accepts any token; Service Bus answers put-token with 202 Accepted. */
export function putTokenReply(): Message {
  return {
    application_properties: { 'status-code': amqpTypes.wrap_int(202), 'status-description': 'Accepted' },
    body: undefined,
  };
}

/** `$management` replies carry statusCode / statusDescription (and errorCondition on failure). */
export function managementReplyMessage(reply: ManagementReply): Message {
  const properties: Record<string, unknown> = {
    statusCode: amqpTypes.wrap_int(reply.statusCode),
    statusDescription: reply.statusDescription,
  };
  if (reply.errorCondition !== undefined) properties.errorCondition = amqpTypes.wrap_symbol(reply.errorCondition);
  return { application_properties: properties, body: reply.body };
}
