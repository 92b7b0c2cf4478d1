import { randomBytes } from 'node:crypto';

/**
 * Lock tokens travel two ways. On a receive link the delivery tag carries the token's 16 bytes in
 * .NET Guid order (first three groups little-endian), which the SDK reorders before printing it.
 * In `$management` requests the SDK sends the printed token back as an AMQP uuid in plain order.
 * Both reduce to the same lowercase string, which is the key the peer stores locks under.
 */
/** The delivery tag that makes the SDK print `lockToken` (a uuid string) as the message's lock token. */
export function deliveryTagForLockToken(lockToken: string): Buffer {
  return toDotNetGuidOrder(Buffer.from(lockToken.replace(/-/g, ''), 'hex'));
}

/** Receive-and-delete deliveries carry no lock; any unique tag will do. */
export function unlockedDeliveryTag(): Buffer {
  return randomBytes(16);
}

export function lockTokenFromDeliveryTag(tag: Buffer | string): string {
  const bytes = typeof tag === 'string' ? Buffer.from(tag) : tag;
  if (bytes.length !== 16) return bytes.toString('hex');
  return formatUuid(toDotNetGuidOrder(bytes));
}

export function lockTokenFromUuid(bytes: Buffer): string {
  return formatUuid(bytes);
}

/** Swapping the first three groups' byte order is its own inverse. */
function toDotNetGuidOrder(b: Buffer): Buffer {
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => b[i] ?? 0));
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
