import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { CheckReadiness } from '../domain/shared/CheckReadiness';
import { TYPES } from '../host/identifiers';
import { defineApiRoute, defineOpenRoute } from './http/apiRoute';

const liveness = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number().int().min(0),
  startedAt: z.string(),
});

const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  error: z.literal('NotReady').optional(),
  message: z.string().optional(),
  failed: z.array(z.string()).describe('names of the dependencies that failed'),
  dependencies: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['ok', 'failed']),
      latencyMs: z.number().int().min(0),
      error: z.string().optional(),
    }),
  ),
});

/** Liveness: the process answers. No dependency is touched, so a slow store never restarts the app. */
export const healthFunction = defineOpenRoute({
  name: 'health',
  route: 'health',
  methods: ['GET'],
  doc: {
    summary: 'Liveness: the service is running',
    tags: ['health'],
    responses: { 200: { description: 'Alive', schema: liveness } },
  },
  build: (container) => {
    const info = container.get(TYPES.AppInfo);
    const clock = container.get(TYPES.Clock);
    return async (): Promise<HttpResponseInit> => ({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        status: 'ok',
        version: info.version,
        startedAt: info.startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.floor((clock.now().getTime() - info.startedAt.getTime()) / 1000)),
      } satisfies z.infer<typeof liveness>,
    });
  },
});

/** Readiness: every dependency answers; 503 names the ones that do not. */
export const readinessFunction = defineApiRoute({
  name: 'readiness',
  route: 'health/ready',
  methods: ['GET'],
  need: 'admin',
  scoped: false,
  doc: {
    summary: 'Readiness: metadata store, workspace store, queue and secret store each answer',
    tags: ['health'],
    responses: {
      200: { description: 'Every dependency answered', schema: readiness },
      503: { description: 'At least one dependency failed (named in `failed`)', schema: readiness },
    },
  },
  build: (container) => {
    const check: CheckReadiness = container.get(TYPES.CheckReadiness);
    return async (_request, context): Promise<HttpResponseInit> => {
      const result = await check.execute();
      const failed = result.dependencies
        .filter((dependency) => dependency.status === 'failed')
        .map((dependency) => dependency.name);
      if (failed.length > 0) context.log.warn({ failed }, 'not ready');
      return {
        status: result.ready ? 200 : 503,
        headers: { 'cache-control': 'no-store' },
        jsonBody: {
          status: result.ready ? 'ready' : 'unavailable',
          ...(result.ready ? {} : { error: 'NotReady' as const, message: `not ready: ${failed.join(', ')} failed` }),
          failed,
          dependencies: result.dependencies.map((dependency) => ({
            ...dependency,
            latencyMs: Math.round(dependency.latencyMs),
          })),
        } satisfies z.infer<typeof readiness>,
      };
    };
  },
});
