import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { CommandQueue } from '../ports/CommandQueue';
import type { Logger } from '../ports/Logger';
import { TYPES } from '../host/identifiers';
import { registerHttpFunction } from './definitions';
import { problem } from './http/problem';
import { readBody } from './http/readBody';

const replayBody = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ messageIds: z.array(z.string().min(1).max(200)).min(1).max(1000) }).strict(),
]);

/** Operator surface for dead-lettered syncs: list, replay (some or all), purge. */
export function makeDeadLetterHandlers(deps: { queue: CommandQueue; logger: Logger }) {
  return {
    list: async (): Promise<HttpResponseInit> => {
      const deadLetters = await deps.queue.listDeadLetters();
      return { status: 200, jsonBody: { count: deadLetters.length, deadLetters } };
    },
    replay: async (request: HttpRequest): Promise<HttpResponseInit> => {
      const body = await readBody(request, 256 * 1024);
      if (!body.ok) return problem(413, 'PayloadTooLarge', 'the replay request is limited to 256 KiB');
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(body.bytes).toString('utf8'));
      } catch {
        return problem(400, 'InvalidJson', 'the body is not JSON');
      }
      const parsed = replayBody.safeParse(json);
      if (!parsed.success) return problem(400, 'InvalidReplayRequest', 'send {"all": true} or {"messageIds": ["…"]}');
      const result = await deps.queue.replayDeadLetters('all' in parsed.data ? 'all' : { messageIds: parsed.data.messageIds });
      deps.logger.info({ replayed: result.replayed.length, notFound: result.notFound.length, notReplayable: result.notReplayable.length }, 'dead letters replayed');
      return { status: 200, jsonBody: result };
    },
    purge: async (): Promise<HttpResponseInit> => {
      const purged = await deps.queue.purgeDeadLetters();
      deps.logger.warn({ purged }, 'dead letters purged');
      return { status: 200, jsonBody: { purged } };
    },
  };
}

const handlers = (container: Parameters<Parameters<typeof registerHttpFunction>[0]['build']>[0]) =>
  makeDeadLetterHandlers({ queue: container.get(TYPES.CommandQueue), logger: container.get(TYPES.Logger) });

// Admin-only until Entra ID auth lands: a function key in Azure, loopback callers on the local host.
export const listDeadLettersFunction = registerHttpFunction({
  name: 'listDeadLetters',
  route: 'sync/dead-letters',
  methods: ['GET'],
  authLevel: 'function',
  build: (container) => handlers(container).list,
});

export const replayDeadLettersFunction = registerHttpFunction({
  name: 'replayDeadLetters',
  route: 'sync/dead-letters/replay',
  methods: ['POST'],
  authLevel: 'function',
  build: (container) => handlers(container).replay,
});

export const purgeDeadLettersFunction = registerHttpFunction({
  name: 'purgeDeadLetters',
  route: 'sync/dead-letters',
  methods: ['DELETE'],
  authLevel: 'function',
  build: (container) => handlers(container).purge,
});
