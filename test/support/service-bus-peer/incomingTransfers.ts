import type { Message } from 'rhea';
import { message as amqpMessage } from 'rhea';

/** Message format of a Service Bus batch: one envelope whose data sections are encoded messages. */
const BATCH_MESSAGE_FORMAT = 0x80013700;

interface DataSections {
  content: Buffer | Buffer[];
  multiple?: boolean;
}

/**
 * The messages a transfer carries. rhea decodes format-0 transfers itself; for the batch format it
 * hands over the raw bytes, whose body holds one data section per encoded message.
 */
export function messagesOfTransfer(payload: Message | Buffer, format: number | undefined): Message[] {
  if (format !== BATCH_MESSAGE_FORMAT) {
    return Buffer.isBuffer(payload) ? [decodeMessage(payload)] : [payload];
  }
  const envelope = decodeMessage(payload as Buffer);
  const sections = envelope.body as DataSections | undefined;
  if (sections === undefined || sections.content === undefined) return [];
  const encoded = Array.isArray(sections.content) ? sections.content : [sections.content];
  return encoded.map((bytes) => decodeMessage(bytes));
}

/** rhea declares its decoder's result loosely; it is the same message shape rhea's events carry. */
export function decodeMessage(bytes: Buffer): Message {
  return amqpMessage.decode(bytes) as unknown as Message;
}

/** The bytes a transfer carried: a batch arrives raw; a plain message is encoded again to size it. */
export function transferSize(payload: Message | Buffer): number {
  return Buffer.isBuffer(payload) ? payload.length : (amqpMessage.encode(payload) as Buffer).length;
}
