import { z } from 'zod';
import type { SyncRun } from '../../domain/sync/SyncRun';
import { scopeName, timestamp } from './common';

/** A sync run as the API shows it. */
export const syncRunView = z.object({
  id: z.string(),
  scope: scopeName,
  trigger: z.string(),
  deliveryId: z.string(),
  status: z.enum(['running', 'succeeded', 'noop', 'failed']),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  durationMs: z.number().int().min(0).optional(),
  fromCommit: z.string().optional(),
  commitSha: z.string().optional(),
  counts: z.object({
    written: z.number().int(),
    deleted: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    bytesWritten: z.number().int(),
    archiveFallbacks: z
      .number()
      .int()
      .optional()
      .describe(
        'files whose archive bytes were not their blob (export-subst, filters, LFS), fetched through the blob API instead',
      ),
  }),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  lfsPointers: z.array(z.string()),
  sourceRequests: z.number().int(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
  queueOutcome: z
    .object({
      action: z.enum(['retry-scheduled', 'dead-lettered']),
      attempt: z.number().int(),
      reason: z.string(),
      retryAt: z.string().optional(),
    })
    .optional(),
  backupId: z.string().optional(),
});

export type SyncRunView = z.infer<typeof syncRunView>;

export function toSyncRunView(run: SyncRun): SyncRunView {
  const { startedAt, finishedAt, skipped, lfsPointers, ...rest } = run;
  return {
    ...rest,
    skipped: [...skipped],
    lfsPointers: [...lfsPointers],
    startedAt: startedAt.toISOString(),
    ...(finishedAt
      ? { finishedAt: finishedAt.toISOString(), durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()) }
      : {}),
  };
}
