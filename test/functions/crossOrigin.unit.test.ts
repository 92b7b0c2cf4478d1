import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { crossOriginPolicy, guardCrossOrigin } from '../../src/functions/http/crossOrigin';
import { loadConfig } from '../../src/host/config';

const SPA = 'https://calm-sea-0123.azurestaticapps.net';
const APP = 'https://wsync.azurewebsites.net';

/** The guard as the Functions host runs it: requests arrive with the public URL (x-forwarded-host/proto). */
describe('cross-origin guard under the Functions host (Entra ID)', () => {
  const config = loadConfig({
    AUTH_MODE: 'entra',
    AUTH_TENANT_ID: 'contoso.onmicrosoft.com',
    AUTH_AUDIENCE: 'api://ws',
    PUBLIC_BASE_URL: APP,
    CORS_ALLOWED_ORIGINS: SPA,
  });
  let calls = 0;
  const guarded = guardCrossOrigin(
    async () => {
      calls++;
      return { status: 200, headers: { etag: '"abc"' }, jsonBody: { ok: true } };
    },
    { policy: crossOriginPolicy(config), route: {}, methods: () => ['GET', 'PUT'] },
  );
  const call = async (method: string, headers: Record<string, string>, url = `${APP}/api/workspace/files?path=a`) =>
    new HttpResponse(
      (await guarded(
        new HttpRequest({ method, url, headers }),
        new InvocationContext({ invocationId: 't' }),
      )) as HttpResponseInit,
    );

  it('serves the SPA origin and grants it the answer, under any Host (a bearer token authenticates, not the name)', async () => {
    const answer = await call(
      'GET',
      { origin: SPA },
      'https://wsync-staging.azurewebsites.net/api/workspace/files?path=a',
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(answer.headers.get('access-control-expose-headers')).toContain('etag');
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('refuses other origins before the handler runs, and answers preflights itself', async () => {
    const before = calls;
    const foreign = await call('PUT', { origin: 'https://attacker.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: 'OriginNotAllowed' });
    const preflight = await call('OPTIONS', { origin: SPA, 'access-control-request-method': 'PUT' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, if-match, if-none-match, x-organization-id',
    );
    expect(calls).toBe(before);
    // The public address itself (PUBLIC_BASE_URL) and callers without Origin (scripts, GitHub) pass.
    expect((await call('GET', { origin: APP })).status).toBe(200);
    expect((await call('GET', {})).status).toBe(200);
  });
});
