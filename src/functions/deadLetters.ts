import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Container } from 'inversify';
import { z } from 'zod';
import { TYPES } from '../host/identifiers';
import type { CommandQueue } from '../ports/CommandQueue';
import type { Logger } from '../ports/Logger';
import type { ApiContext } from './http/apiContext';
import { defineApiRoute } from './http/apiRoute';
import { readJson } from './http/readJson';
import { syncCommandView, timestamp } from './schemas/common';

const replayBody = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ messageIds: z.array(z.string().min(1).max(200)).min(1).max(1000) }).strict(),
]);

const deadLetterView = z.object({
  messageId: z.string(),
  reason: z.string(),
  description: z.string(),
  enqueuedAt: timestamp,
  deliveryCount: z.number().int(),
  command: syncCommandView.nullable(),
});

const replayResultView = z.object({
  replayed: z.array(z.object({ messageId: z.string(), newMessageId: z.string() })),
  notFound: z.array(z.string()),
  notReplayable: z.array(z.string()),
});

/** Operator surface for dead-lettered syncs: list, replay (some or all), purge. */
function makeDeadLetterHandlers(deps: { queue: CommandQueue; logger: Logger }) {
  return {
    list: async (): Promise<HttpResponseInit> => {
      const deadLetters = await deps.queue.listDeadLetters();
      return { status: 200, jsonBody: { count: deadLetters.length, deadLetters } };
    },
    replay: async (request: HttpRequest, context?: ApiContext): Promise<HttpResponseInit> => {
      const body = await readJson(request, replayBody, 256 * 1024, {
        code: 'InvalidReplayRequest',
        message: 'send {"all": true} or {"messageIds": ["…"]}',
      });
      if (!body.ok) return body.response;
      const result = await deps.queue.replayDeadLetters(
        'all' in body.value ? 'all' : { messageIds: body.value.messageIds },
      );
      (context?.log ?? deps.logger).info(
        {
          replayed: result.replayed.length,
          notFound: result.notFound.length,
          notReplayable: result.notReplayable.length,
        },
        'dead letters replayed',
      );
      return { status: 200, jsonBody: result };
    },
    purge: async (_request: HttpRequest, context?: ApiContext): Promise<HttpResponseInit> => {
      const purged = await deps.queue.purgeDeadLetters();
      (context?.log ?? deps.logger).warn({ purged }, 'dead letters purged');
      return { status: 200, jsonBody: { purged } };
    },
  };
}

const handlers = (container: Container) =>
  makeDeadLetterHandlers({ queue: container.get(TYPES.CommandQueue), logger: container.get(TYPES.Logger) });

export const listDeadLettersFunction = defineApiRoute({
  name: 'listDeadLetters',
  route: 'sync/dead-letters',
  methods: ['GET'],
  need: 'admin',
  scoped: false,
  doc: {
    summary: 'List dead-lettered sync commands with their reasons',
    tags: ['sync'],
    responses: {
      200: {
        description: 'Dead letters, oldest first',
        schema: z.object({ count: z.number().int(), deadLetters: z.array(deadLetterView) }),
      },
    },
  },
  build: (container) => handlers(container).list,
});

export const replayDeadLettersFunction = defineApiRoute({
  name: 'replayDeadLetters',
  route: 'sync/dead-letters/replay',
  methods: ['POST'],
  need: 'admin',
  scoped: false,
  doc: {
    summary: 'Replay dead-lettered syncs under new message ids',
    tags: ['sync'],
    body: { schema: replayBody, required: true },
    responses: {
      200: { description: 'What was replayed, not found, or not replayable', schema: replayResultView },
      400: { description: 'Bad request', problems: ['InvalidJson', 'InvalidReplayRequest'] },
      413: { description: 'Body too large', problems: ['PayloadTooLarge'] },
    },
  },
  build: (container) => handlers(container).replay,
});

export const purgeDeadLettersFunction = defineApiRoute({
  name: 'purgeDeadLetters',
  route: 'sync/dead-letters',
  methods: ['DELETE'],
  need: 'admin',
  scoped: false,
  doc: {
    summary: 'Delete every dead-lettered sync',
    tags: ['sync'],
    responses: { 200: { description: 'How many were deleted', schema: z.object({ purged: z.number().int() }) } },
  },
  build: (container) => handlers(container).purge,
});
