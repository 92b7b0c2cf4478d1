import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/domain/shared/Scope';
import {
  commandMessageId,
  MAX_MESSAGE_ID_LENGTH,
  parseSyncCommand,
  readSyncCommand,
  replayCommand,
  type SyncCommand,
} from '../../../src/domain/sync/SyncCommand';

const command = {
  scope: 'GLOBAL',
  trigger: 'push',
  deliveryId: 'd-1',
  requestedAt: '2026-01-01T00:00:00.000Z',
  attempt: 3,
};

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

  it('is validated in one place: the worker and the dead-letter tools refuse the same bodies', () => {
    const refused: Array<[unknown, RegExp]> = [
      [{ ...command, commitSha: 'not-a-sha' }, /commitSha/],
      [{ ...command, scope: '../etc' }, /scope/],
      [{ ...command, deliveryId: '' }, /deliveryId/],
      [{ ...command, requestedAt: 'yesterday' }, /requestedAt/],
      [{ ...command, attempt: 0 }, /attempt/],
      [{ ...command, replayId: 'r'.repeat(65) }, /replayId/],
      ['not json', /JSON/],
    ];
    for (const [body, problem] of refused) {
      const parsed = parseSyncCommand(body);
      expect(parsed.ok, JSON.stringify(body)).toBe(false);
      if (!parsed.ok) expect(parsed.problems).toMatch(problem);
      expect(readSyncCommand(body)).toBeNull();
    }
  });

  it('normalises the scope and keeps only the fields of a command', () => {
    const parsed = parseSyncCommand({ ...command, scope: 'Contoso', commitSha: 'a'.repeat(40), extra: 'dropped' });
    expect(parsed).toEqual({ ok: true, command: { ...command, scope: 'contoso', commitSha: 'a'.repeat(40) } });
    expect(parseSyncCommand({ ...command, requestedAt: '2026-02-30T00:00:00Z' }).ok).toBe(false);
  });

  it('replays as a replay trigger starting again at attempt 1, under the replay id it is given', () => {
    const { attempt: _attempt, ...rest } = command;
    const first = replayCommand(readSyncCommand(command)!, 'replay-1');
    expect(first).toEqual({ ...rest, trigger: 'replay', replayId: 'replay-1' });
    expect(replayCommand(first, 'replay-2')).toEqual({ ...rest, trigger: 'replay', replayId: 'replay-2' });
  });
});

describe('queue message ids', () => {
  const LONGEST_SCOPE = `o${'r'.repeat(63)}` as Scope;
  const LONGEST_DELIVERY = 'd'.repeat(100);
  const of = (overrides: Partial<SyncCommand>) =>
    commandMessageId({ scope: 'GLOBAL' as Scope, deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', ...overrides });

  it('name the scope and the delivery id, readable while short', async () => {
    expect(await of({})).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(await of({ scope: 'org-1' as Scope })).toBe('org-1:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(await of({ attempt: 1 })).toBe(await of({}));
  });

  it('name the attempt from the command, never growing from an earlier id', async () => {
    expect(await of({ attempt: 2 })).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-2');
    expect(await of({ attempt: 99 })).toBe('GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-99');
    expect(await of({ attempt: 3, replayId: 'r1' })).toBe(
      'GLOBAL:72d3162e-cc78-11e3-81ab-4c9367dc0958:replay-r1:attempt-3',
    );
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
    expect(await of({ scope: LONGEST_SCOPE, attempt: 99 })).toBe(
      `${LONGEST_SCOPE}:72d3162e-cc78-11e3-81ab-4c9367dc0958:attempt-99`,
    );
  });
});
