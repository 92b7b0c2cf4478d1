import { describe, expect, it } from 'vitest';
import { readSyncCommand, replayCommand } from '../../../src/domain/SyncCommand';

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

  it('replays as a replay trigger starting again at attempt 1', () => {
    const { attempt: _attempt, ...rest } = command;
    expect(replayCommand(readSyncCommand(command)!)).toEqual({ ...rest, trigger: 'replay' });
  });
});
