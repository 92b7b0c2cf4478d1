import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from './ApiClient';
import { ApiError, messageOf, NetworkError } from './ApiError';

const api = new ApiClient(async () => null);

afterEach(() => vi.unstubAllGlobals());

describe('ApiClient', () => {
  it('returns the readiness report of a 503 that lists its dependencies', async () => {
    const report = { status: 'not-ready', dependencies: [{ name: 'storage', ok: false }] };
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(report), { status: 503 })),
    );
    await expect(api.readiness()).resolves.toEqual(report);
  });

  it("keeps the API's message when a 503 is not a readiness report, and words a non-JSON body", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: 'ConfigurationInvalid', message: 'AUTH_ISSUER is missing' }), {
            status: 503,
          }),
      ),
    );
    await expect(api.readiness()).rejects.toMatchObject({
      status: 503,
      code: 'ConfigurationInvalid',
      message: 'AUTH_ISSUER is missing',
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response('<html>Service Unavailable</html>', { status: 503, statusText: 'Service Unavailable' }),
      ),
    );
    const failure = await api.readiness().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(messageOf(failure)).toBe('The service answered 503 Service Unavailable.');
  });

  it('reports only a failed fetch as "could not be reached"', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const failure = await api.me().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect(messageOf(failure)).toMatch(/could not be reached/);
    expect(messageOf(new TypeError("Cannot read properties of undefined (reading 'items')"))).toBe(
      "Cannot read properties of undefined (reading 'items')",
    );
  });
});
