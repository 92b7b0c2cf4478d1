import { z } from 'zod';
import { parseScope, SCOPE_NAME_PATTERN } from '../../domain/shared/Scope';
import { SYNC_TRIGGERS } from '../../domain/sync/SyncCommand';

/** Schemas of what the API sends, for `/api/openapi.json`; JSON has no dates, so times are ISO strings. */
export const timestamp = z.iso.datetime({ offset: true });

export const scopeName = z
  .string()
  .regex(new RegExp(`^${SCOPE_NAME_PATTERN.source}$`))
  .refine((value) => parseScope(value) !== null, "'global' in any spelling but GLOBAL is reserved")
  .describe('GLOBAL or an organisation id; organisation ids ignore case and are answered in lower case');

export const syncCommandView = z.object({
  scope: scopeName,
  trigger: z.enum(SYNC_TRIGGERS as [string, ...string[]]),
  deliveryId: z.string(),
  commitSha: z.string().optional(),
  requestedAt: timestamp,
  attempt: z.number().int().optional(),
  replayOf: z.string().optional(),
});
