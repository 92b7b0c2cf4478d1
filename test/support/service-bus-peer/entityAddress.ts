/**
 * What a link address names, as @azure/service-bus builds them: `<queue>`,
 * `<queue>/$DeadLetterQueue`, either followed by `/$management`, or `$cbs`. Queue names may
 * themselves contain `/`, so suffixes are taken from the end. Some clients send the full
 * `sb://host/<path>` form; the scheme and host are dropped.
 */
export type SubQueueName = 'main' | 'deadLetter';

export type EntityAddress =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'entity'; readonly queue: string; readonly subQueue: SubQueueName }
  | { readonly kind: 'management'; readonly queue: string; readonly subQueue: SubQueueName };

const MANAGEMENT_SUFFIX = '/$management';
const DEAD_LETTER_SUFFIX = '/$deadletterqueue';

export function parseEntityAddress(raw: string | undefined): EntityAddress | undefined {
  if (raw === undefined || raw === '') return undefined;
  let path = raw.replace(/^[a-z]+:\/\/[^/]+\//i, '');
  if (path === '$cbs') return { kind: 'cbs' };
  let kind: 'entity' | 'management' = 'entity';
  if (path.toLowerCase().endsWith(MANAGEMENT_SUFFIX)) {
    kind = 'management';
    path = path.slice(0, -MANAGEMENT_SUFFIX.length);
  }
  let subQueue: SubQueueName = 'main';
  // The service accepts the dead-letter suffix in any casing ($DeadLetterQueue, $deadletterqueue).
  if (path.toLowerCase().endsWith(DEAD_LETTER_SUFFIX)) {
    subQueue = 'deadLetter';
    path = path.slice(0, -DEAD_LETTER_SUFFIX.length);
  }
  if (path === '') return undefined;
  return { kind, queue: path, subQueue };
}

/** How the service spells the path back in messages (`queue` or `queue/$DeadLetterQueue`). */
export function entityPath(queue: string, subQueue: SubQueueName): string {
  return subQueue === 'deadLetter' ? `${queue}/$DeadLetterQueue` : queue;
}
