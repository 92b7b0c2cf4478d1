import { describe, expect, it } from 'vitest';
import { faultResponse } from '../../src/functions/http/faultResponse';
import { AuthenticationUnavailableError } from '../../src/ports/Authenticator';
import { CommandQueueError } from '../../src/ports/CommandQueue';
import { FileStoreError } from '../../src/ports/FileStore';
import { MetadataUnavailableError } from '../../src/ports/MetadataRepo';
import { SecretStoreReadOnlyError } from '../../src/ports/SecretStore';
import { SourceError } from '../../src/ports/SourceRepository';
import { captureLogger } from '../support/captureLogger';

const answer = (error: unknown) => {
  const log = captureLogger();
  const response = faultResponse(error, log.logger);
  return {
    status: response.status,
    headers: response.headers as Record<string, string> | undefined,
    body: response.jsonBody as { error: string; message: string },
    log: log.text(),
  };
};

describe('faultResponse: faults recognised by their base type, anything else a bug', () => {
  it('answers a retryable fault 503 DependencyUnavailable, with the retry-after it asked for', () => {
    for (const fault of [
      new MetadataUnavailableError('table storage unavailable'),
      new CommandQueueError('Unavailable', 'Service Bus unavailable'),
      new FileStoreError('Unavailable', 'share down'),
    ]) {
      expect(answer(fault)).toMatchObject({
        status: 503,
        headers: { 'retry-after': '5' },
        body: { error: 'DependencyUnavailable' },
      });
    }
    expect(answer(new SourceError('RateLimited', 'slow down', 42_500))).toMatchObject({
      status: 503,
      headers: { 'retry-after': '43' },
    });
  });

  it('answers a fault that is not retryable 500, and keeps the special answers for auth and read-only secrets', () => {
    expect(answer(new CommandQueueError('Rejected', 'no such queue'))).toMatchObject({
      status: 500,
      body: { error: 'InternalError' },
    });
    expect(answer(new AuthenticationUnavailableError('key set unreachable'))).toMatchObject({
      status: 503,
      body: { error: 'AuthUnavailable' },
    });
    expect(answer(new SecretStoreReadOnlyError('env'))).toMatchObject({
      status: 500,
      body: { error: 'SecretStoreReadOnly' },
    });
  });

  it('answers an error that only looks retryable 500 and logs it as a bug, never as a dependency outage', () => {
    const lookalike = Object.assign(new TypeError("Cannot read properties of undefined (reading 'scope')"), {
      retryable: true,
    });
    const { status, body, log } = answer(lookalike);
    expect(status).toBe(500);
    expect(body.error).toBe('InternalError');
    expect(log).toContain('unexpected error');
    expect(log).toContain('TypeError');
  });
});
