import { describe, expect, it } from 'vitest';
import { commandMessageId, MAX_MESSAGE_ID_LENGTH, readSyncCommand, replayCommand, type SyncCommand } from '../../../src/domain/SyncCommand';
import type { Scope } from '../../../src/domain/Scope';

const command = { scope: 'GLOBAL', trigger: 'push', deliveryId: 'd-1', requestedAt: '2026-01-01T00:00:00.000Z', attempt: 3 };

describe('queue message bodies', () => {
  it('reads a command from an object, JSON text or JSON bytes', () => {
    expect(readSyncCommand(command)).toEqual(command);
    expect(readSyncCommand(JSON.stringify(command))).toEqual(command);
    expect(readSyncCommand(new TextEncoder().encode(JSON.stringify(command)))).toEqual(command);
  });

  it('answers null for anything without a command shape', () => {
    for (const body of ['not json', '{}', 42, null, { ...command, trigger: 'nope' }, { ...command, scope: 7 }]) {
      expect(readSyncCommand(body)).toBeNull();
    }
  });

  it('replays as a replay trigger starting again at attempt 1, with a fresh replay id each time', () => {
    const { attempt: _attempt, ...rest } = command;
    const first = replayCommand(readSyncCommand(command)!);
    expect(first).toEqual({ ...rest, trigger: 'replay', replayId: expect.any(String) });
    expect(replayCommand(first).replayId).not.toBe(first.replayId);
  });
});

describe('queue message ids', () => {
  const LONGEST_SCOPE = `o${'r'.repeat(63)}` as Scope;
  const LONGEST_DELIVERY = 'd'.repeat(100);
  const of = (overrides: Partial<SyncCommand>) => commandMessageId({ scope: 'GLOBAL' as Scope, deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ...overrides });

  it('name the scope and the delivery id, readable while short', async () => {
    expect(await of({})).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(await of({ scope: 'org-1' as Scope })).toBe('org-1:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(await of({ attempt: 1 })).toBe(await of({}));
  });

  it('name the attempt from the command, never growing from an earlier id', async () => {
    expect(await of({ attempt: 2 })).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-2');
    expect(await of({ attempt: 99 })).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-99');
    expect(await of({ attempt: 3, replayId: 'r1' })).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:replay-r1:attempt-3');
  });

  it('stay within 128 characters for the longest scope, the longest delivery id and attempt 99, and stay distinct', async () => {
    const ids = await Promise.all([
      of({ scope: LONGEST_SCOPE, deliveryId: LONGEST_DELIVERY }),
      of({ scope: LONGEST_SCOPE, deliveryId: LONGEST_DELIVERY, attempt: 2 }),
      of({ scope: LONGEST_SCOPE, deliveryId: LONGEST_DELIVERY, attempt: 99 }),
      of({ scope: LONGEST_SCOPE, deliveryId: LONGEST_DELIVERY, attempt: 99, replayId: globalThis.crypto.randomUUID() }),
      of({ scope: LONGEST_SCOPE, deliveryId: `reconcile-${LONGEST_SCOPE}-${Date.now()}`, attempt: 99 }),
      of({ scope: LONGEST_SCOPE, attempt: 99 }),
      of({ scope: 'GLOBAL' as Scope, deliveryId: LONGEST_DELIVERY, attempt: 99 }),
    ]);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(MAX_MESSAGE_ID_LENGTH);
    expect(new Set(ids).size).toBe(ids.length);
    // Past the limit: the SHA-256 of the readable form, the same for the same command.
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(await of({ scope: LONGEST_SCOPE, deliveryId: LONGEST_DELIVERY })).toBe(ids[0]);
    expect(await of({ scope: LONGEST_SCOPE, attempt: 99 })).toBe(`${LONGEST_SCOPE}:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-99`);
  });
});
