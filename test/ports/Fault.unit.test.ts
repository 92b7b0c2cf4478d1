import { describe, expect, it } from 'vitest';
import type { Scope } from '../../src/domain/shared/Scope';
import { describeFailure, SyncFailure } from '../../src/domain/sync/SyncFailure';
import { AuthenticationUnavailableError } from '../../src/ports/Authenticator';
import { CommandQueueError } from '../../src/ports/CommandQueue';
import { Fault } from '../../src/ports/Fault';
import { FileStoreError } from '../../src/ports/FileStore';
import { LeaseLostError } from '../../src/ports/LeaseRepo';
import { MetadataUnavailableError } from '../../src/ports/MetadataRepo';
import { SecretStoreReadOnlyError } from '../../src/ports/SecretStore';
import { ArchiveMismatch, SourceError } from '../../src/ports/SourceRepository';
import { InvalidContinuationTokenError } from '../../src/ports/SyncRunRepo';

describe('Fault', () => {
  it('is the one base of every port fault, each with a stable code and its own retryable answer', () => {
    const faults: Array<[Fault, string, boolean]> = [
      [new FileStoreError('Unavailable', 'x'), 'Unavailable', true],
      [new FileStoreError('Conflict', 'x'), 'Conflict', false],
      [new SourceError('RateLimited', 'x', 30_000), 'RateLimited', true],
      [new SourceError('NotFound', 'x'), 'NotFound', false],
      [new ArchiveMismatch('a.py', 'a'.repeat(40), 'b'.repeat(40)), 'ArchiveMismatch', false],
      [new MetadataUnavailableError('x'), 'MetadataUnavailable', true],
      [new LeaseLostError('GLOBAL' as Scope), 'LeaseLost', true],
      [new InvalidContinuationTokenError(), 'InvalidContinuationToken', false],
      [new AuthenticationUnavailableError('x'), 'AuthUnavailable', true],
      [new SecretStoreReadOnlyError('x'), 'SecretStoreReadOnly', false],
      [new CommandQueueError('Unavailable', 'x'), 'Unavailable', true],
      [new CommandQueueError('Rejected', 'x'), 'Rejected', false],
      [new SyncFailure('BranchNotFound'), 'BranchNotFound', false],
    ];
    for (const [fault, code, retryable] of faults) {
      expect(fault).toBeInstanceOf(Fault);
      expect(fault).toBeInstanceOf(Error);
      expect({ code: fault.code, retryable: fault.retryable }).toEqual({ code, retryable });
    }
    expect(new SourceError('RateLimited', 'x', 30_000).retryAfterMs).toBe(30_000);
  });

  it('writes out name, code, message and retry hints, never its cause', () => {
    const cause = Object.assign(new Error('PUT https://vault/secrets/x failed'), {
      request: { body: 'ghp_secretvalue' },
    });
    const fault = new MetadataUnavailableError('table storage unavailable during saveRun (ECONNRESET)', { cause });
    expect(fault.cause).toBe(cause);
    const written = JSON.stringify({ error: fault });
    expect(written).not.toContain('ghp_secretvalue');
    expect(written).not.toContain('vault');
    expect(JSON.parse(written).error).toEqual({
      name: 'MetadataUnavailableError',
      code: 'MetadataUnavailable',
      message: fault.message,
      retryable: true,
    });
    expect(new SourceError('RateLimited', 'slow down', 5_000).toJSON()).toMatchObject({ retryAfterMs: 5_000 });
  });
});

describe('describeFailure', () => {
  it('keeps a fault as it says', () => {
    expect(describeFailure(new SourceError('RateLimited', 'limit', 60_000))).toEqual({
      code: 'RateLimited',
      message: 'limit',
      retryable: true,
      retryAfterMs: 60_000,
    });
    expect(describeFailure(new FileStoreError('SymbolicLink', 'link'))).toEqual({
      code: 'SymbolicLink',
      message: 'link',
      retryable: false,
    });
  });

  it('takes anything else for a bug: UnexpectedError, not retryable, even when it looks like a fault', () => {
    expect(describeFailure(new TypeError('x is undefined'))).toEqual({
      code: 'UnexpectedError',
      message: expect.stringContaining('TypeError: x is undefined'),
      retryable: false,
    });
    const lookalike = Object.assign(new Error('looks retryable'), { code: 'Unavailable', retryable: true });
    expect(describeFailure(lookalike)).toMatchObject({ code: 'UnexpectedError', retryable: false });
    expect(describeFailure('a string')).toMatchObject({ code: 'UnexpectedError', retryable: false });
  });
});
