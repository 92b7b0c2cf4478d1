import { z } from 'zod';
import { scopeName, timestamp } from './common';

/** A connection as the API shows it (ConnectionView): never a secret or a secret reference. */
export const connectionView = z.object({
  scope: scopeName,
  repository: z.string(),
  branch: z.string(),
  subPath: z.string(),
  enabled: z.boolean(),
  webhook: z.union([
    z.object({ mode: z.literal('automatic'), id: z.number().int() }),
    z.object({ mode: z.literal('manual') }),
  ]),
  lastSyncedCommit: z.string().nullable(),
  lastSyncOutcome: z.enum(['succeeded', 'failed', 'noop']).nullable(),
  lastSyncAt: timestamp.nullable(),
  branchDeletedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
