import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpFunctionDefinition } from '../../src/functions/definitions';
import { httpFunctions } from '../../src/functions/index';
import { ApiHarness } from '../support/apiHarness';

/** Every registered route with a concrete path: scope org-a, any other parameter a harmless value. */
const routes = httpFunctions.flatMap((definition) =>
  definition.methods.map((method) => ({
    definition,
    method,
    path: `/api/${definition.route.replace(/\{(\w+)[^}]*\}/g, (_, name: string) => (name === 'scope' ? 'org-a' : 'x'))}`,
  })),
);
const label = (route: (typeof routes)[number]) => `${route.method} ${route.path}`;
const isProtected = (definition: HttpFunctionDefinition) => definition.access.kind === 'protected';
const protectedRoutes = routes.filter((route) => isProtected(route.definition));
/** Routes whose body is JSON only (a raw upload route takes other types too). */
const jsonBodyRoutes = routes.filter(
  (route) => route.definition.doc.body?.schema && !route.definition.doc.body.contentTypes?.length,
);
const SPA = 'https://spa.example';

describe('route table: every route is protected as declared', () => {
  let api: ApiHarness;
  // Scoped routes without {scope} in the path act on the organisation header.
  const orgA = { 'x-organization-id': 'org-a' };

  beforeAll(async () => {
    api = await ApiHarness.start({ CORS_ALLOWED_ORIGINS: SPA });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('only the GitHub webhook, liveness and the web app sign-in settings are open', () => {
    const open = routes.filter((route) => !isProtected(route.definition)).map(label);
    expect(open.sort()).toEqual(['GET /api/client-config', 'GET /api/health', 'POST /api/github/webhook/org-a']);
  });

  it.each(protectedRoutes.map((route) => [label(route), route] as const))(
    '%s: no token, a foreign key, an expired token or another audience → 401',
    async (_, route) => {
      const tokens: Array<[string, string | null]> = [
        ['none', null],
        ['foreign key', await api.issuer.sign({ roles: ['Workspace.Admin'] }, { key: 'foreign' })],
        [
          'foreign key under the trusted kid',
          await api.issuer.sign({ roles: ['Workspace.Admin'] }, { key: 'foreign', kid: api.issuer.kid }),
        ],
        ['expired', await api.issuer.sign({ roles: ['Workspace.Admin'] }, { expiresInSeconds: -600 })],
        ['other audience', await api.issuer.sign({ roles: ['Workspace.Admin'] }, { audience: 'api://someone-else' })],
        [
          'other issuer',
          await api.issuer.sign(
            { roles: ['Workspace.Admin'] },
            { issuer: 'https://login.microsoftonline.com/other-tenant/v2.0' },
          ),
        ],
      ];
      for (const [kind, token] of tokens) {
        const answer = await api.call(route.method, route.path, { token, headers: orgA });
        expect({ kind, status: answer.status }).toEqual({ kind, status: 401 });
        expect(answer.json.error).toMatch(/^(MissingToken|InvalidToken|TokenExpired)$/);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    },
  );

  // Unscoped read routes (the API description, run and connection listings) answer any signed-in
  // caller and filter what they show to the caller's organisations; their own tests cover that.
  it.each(
    protectedRoutes
      .filter(
        (route) =>
          route.definition.access.kind === 'protected' &&
          (route.definition.access.need !== 'read' || route.definition.access.scoped),
      )
      .map((route) => [label(route), route] as const),
  )('%s: a valid token without the role or for another organisation → 403', async (_, route) => {
    const access = route.definition.access as Extract<HttpFunctionDefinition['access'], { kind: 'protected' }>;
    const callers: Array<[string, string]> = [
      ['editor of another organisation', await api.orgUser(['org-b'], { editor: true })],
    ];
    if (access.need === 'admin')
      callers.push(['editor of the organisation', await api.orgUser(['org-a'], { editor: true })]);
    if (access.need === 'write') callers.push(['reader of the organisation', await api.orgUser(['org-a'])]);
    if (access.scoped) callers.push(['org user on GLOBAL', await api.orgUser(['org-a'], { editor: true })]);
    for (const [index, [who, token]] of callers.entries()) {
      // The last caller of a scoped route aims at GLOBAL (absent header, or GLOBAL in the path).
      const atGlobal = access.scoped && index === callers.length - 1;
      const path = atGlobal ? route.path.replace('/org-a', '/GLOBAL') : route.path;
      const answer = await api.call(route.method, path, { token, headers: atGlobal ? {} : orgA });
      expect({ who, status: answer.status }).toEqual({ who, status: 403 });
      expect(answer.json.error).toBe('Forbidden');
    }
  });

  it('the webhook and liveness answer without a token', async () => {
    expect((await api.call('GET', '/api/health', { token: null })).status).toBe(200);
    // The webhook authenticates by HMAC: without a token it gets as far as looking up the scope.
    const webhook = await api.call('POST', '/api/github/webhook/org-a', { token: null, json: {} });
    expect(webhook.status).toBe(404);
    expect(webhook.json.error).toBe('UnknownScope');
  });

  it('an invalid scope is a 400, not a 500', async () => {
    const answer = await api.call('GET', '/api/sync-jobs', { token: await api.admin(), headers: {} });
    expect(answer.status).toBe(200);
    const bad = await api.call('POST', '/api/github-connections/..%2F..%2Fetc/sync', { token: await api.admin() });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('InvalidScope');
  });

  it.each(routes.map((route) => [label(route), route] as const))(
    '%s: a request from another site is refused with 403 before anything else',
    async (_, route) => {
      const answer = await api.call(route.method, route.path, {
        token: await api.admin(),
        headers: { ...orgA, origin: 'https://attacker.example' },
      });
      expect(answer.status).toBe(403);
      expect(answer.json.error).toBe('OriginNotAllowed');
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it.each(routes.map((route) => [label(route), route] as const))(
    '%s: a preflight from the SPA origin is granted the route methods, one from elsewhere is not',
    async (_, route) => {
      const preflight = (origin: string) =>
        fetch(`${api.url}${route.path}`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': route.method,
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const granted = await preflight(SPA);
      expect(granted.status).toBe(204);
      expect(granted.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(granted.headers.get('access-control-allow-methods')?.split(/,\s*/)).toContain(route.method);
      expect(granted.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const refused = await preflight('https://attacker.example');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it.each(jsonBodyRoutes.map((route) => [label(route), route] as const))(
    '%s: a JSON body under another content type is 415',
    async (_, route) => {
      const answer = await api.call(route.method, route.path, {
        token: await api.admin(),
        body: '{}',
        headers: { ...orgA, 'content-type': 'text/plain' },
      });
      expect(answer.status).toBe(415);
      expect(answer.json.error).toBe('UnsupportedMediaType');
    },
  );

  it('every answer matched /api/openapi.json', () => {
    expect(api.violations).toEqual([]);
  });
});
