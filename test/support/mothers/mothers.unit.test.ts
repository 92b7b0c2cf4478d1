import { describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../../src/adapters/in-memory/InMemoryMetadataRepo';
import { isValidBranchName, isValidRepository } from '../../../src/domain/connections/Connection';
import { parseScope, type Scope } from '../../../src/domain/shared/Scope';
import { parseSyncCommand } from '../../../src/domain/sync/SyncCommand';
import { aConnection, aSyncCommand, aSyncRun } from './index';

/** What the mothers make is what the service itself would accept, so tests never start from an impossible state. */
describe('object mothers', () => {
  it('aConnection: a valid scope, repository and branch, and overrides win', () => {
    const connection = aConnection();
    expect(parseScope(connection.scope)).toBe(connection.scope);
    expect(isValidRepository(connection.repository)).toBe(true);
    expect(isValidBranchName(connection.branch)).toBe(true);
    expect(aConnection({ scope: 'org-1' as Scope, enabled: false })).toMatchObject({
      scope: 'org-1',
      enabled: false,
      repository: connection.repository,
    });
  });

  it('aSyncCommand: a body the queue worker accepts as it is', () => {
    expect(parseSyncCommand(aSyncCommand())).toEqual({ ok: true, command: aSyncCommand() });
    expect(parseSyncCommand(aSyncCommand({ trigger: 'replay', replayId: 'r-1', attempt: 2 }))).toMatchObject({
      ok: true,
    });
  });

  it('aConnection and aSyncRun: stored and read back unchanged', async () => {
    const metadata = new InMemoryMetadataRepo();
    await metadata.saveConnection(aConnection());
    await metadata.saveRun(
      aSyncRun({ status: 'failed', error: { code: 'Unavailable', message: 'GitHub answered 502', retryable: true } }),
    );
    expect(await metadata.getConnection(aConnection().scope)).toEqual(aConnection());
    expect(await metadata.getRun('run-1')).toMatchObject({ status: 'failed', error: { code: 'Unavailable' } });
  });

  it('returns a fresh object each time (a test changing one never changes another)', () => {
    expect(aConnection()).not.toBe(aConnection());
    expect(aSyncRun()).toEqual(aSyncRun());
    expect(aSyncRun()).not.toBe(aSyncRun());
  });
});
