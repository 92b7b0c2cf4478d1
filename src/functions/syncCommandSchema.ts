import { z } from 'zod';
import { parseScope, type Scope } from '../domain/Scope';
import { SYNC_TRIGGERS, type SyncCommand, type SyncTrigger } from '../domain/SyncCommand';

/** A queue message body, validated before the worker acts on it. */
export const syncCommandSchema = z.object({
  scope: z.string().refine((value) => parseScope(value) !== null, 'GLOBAL or an organisation id').transform((value) => parseScope(value) as Scope),
  trigger: z.enum(SYNC_TRIGGERS as [SyncTrigger, ...SyncTrigger[]]),
  deliveryId: z.string().min(1).max(200),
  commitSha: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  requestedAt: z.iso.datetime(),
  attempt: z.number().int().min(1).optional(),
  replayId: z.string().min(1).max(64).optional(),
});

export type ParsedCommand = { ok: true; command: SyncCommand } | { ok: false; problems: string };

export function parseSyncCommand(message: unknown): ParsedCommand {
  let body = message;
  if (typeof message === 'string' || message instanceof Uint8Array) {
    try {
      body = JSON.parse(typeof message === 'string' ? message : Buffer.from(message).toString('utf8'));
    } catch {
      return { ok: false, problems: 'body is not JSON' };
    }
  }
  const parsed = syncCommandSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
  return { ok: true, command: parsed.data as SyncCommand };
}
