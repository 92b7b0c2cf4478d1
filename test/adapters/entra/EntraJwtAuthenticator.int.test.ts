import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EntraJwtAuthenticator,
  type EntraJwtAuthenticatorOptions,
} from '../../../src/adapters/entra/EntraJwtAuthenticator';
import { type AuthenticationFailureCode, AuthenticationUnavailableError } from '../../../src/ports/Authenticator';
import { startTokenIssuer, type TokenIssuer } from '../../support/tokenIssuer';

function authenticatorFor(
  issuer: TokenIssuer,
  overrides: Partial<EntraJwtAuthenticatorOptions> = {},
): EntraJwtAuthenticator {
  return new EntraJwtAuthenticator({
    issuers: [issuer.issuer, `https://sts.windows.net/${issuer.tenantId}/`],
    audiences: [issuer.audience],
    jwksUrl: issuer.jwksUrl,
    clockToleranceSeconds: 60,
    ...overrides,
  });
}

/** The result must be the given failure, and its message must not leak the token or any part of it. */
async function expectRejected(
  authenticator: EntraJwtAuthenticator,
  token: string,
  code: AuthenticationFailureCode,
  message: RegExp,
): Promise<void> {
  const result = await authenticator.authenticate(`Bearer ${token}`);
  expect(result).toMatchObject({ ok: false, code, message: expect.stringMatching(message) });
  expectNoTokenIn(result.ok ? '' : result.message, token);
}

function expectNoTokenIn(text: string, token: string): void {
  expect(text).not.toContain(token);
  for (const part of token.split('.').filter((segment) => segment.length > 8)) expect(text).not.toContain(part);
}

async function expectUnavailable(authenticator: EntraJwtAuthenticator, token: string, reason: RegExp): Promise<void> {
  const error: unknown = await authenticator.authenticate(`Bearer ${token}`).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AuthenticationUnavailableError);
  const message = (error as Error).message;
  expect(message).toMatch(/signing key set .* could not be read/);
  expect(message).toMatch(reason);
  expectNoTokenIn(message, token);
}

describe('EntraJwtAuthenticator against a local Entra-shaped issuer', () => {
  let issuer: TokenIssuer;
  let authenticator: EntraJwtAuthenticator;

  beforeAll(async () => {
    issuer = await startTokenIssuer();
    authenticator = authenticatorFor(issuer);
  });
  afterAll(() => issuer.stop());

  describe('valid tokens', () => {
    it('maps an admin token to an admin principal', async () => {
      const result = await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`);
      expect(result).toEqual({
        ok: true,
        principal: {
          subject: expect.any(String),
          name: 'MSP Admin',
          isAdmin: true,
          isEditor: false,
          organizations: [],
        },
      });
    });

    it('maps an organisation user to a reader of those organisations', async () => {
      const result = await authenticator.authenticate(`Bearer ${await issuer.orgUserToken(['org-a', 'org-b'])}`);
      expect(result).toMatchObject({
        ok: true,
        principal: { isAdmin: false, isEditor: false, organizations: ['org-a', 'org-b'] },
      });
    });

    it('maps the editor role', async () => {
      const result = await authenticator.authenticate(
        `Bearer ${await issuer.orgUserToken(['org-a'], { editor: true })}`,
      );
      expect(result).toMatchObject({
        ok: true,
        principal: { isAdmin: false, isEditor: true, organizations: ['org-a'] },
      });
    });

    it('takes the subject from oid, and accepts a lower-case scheme and the v1 issuer when configured', async () => {
      const token = await issuer.sign(
        { oid: 'object-id', sub: 'pairwise' },
        { issuer: `https://sts.windows.net/${issuer.tenantId}/` },
      );
      const result = await authenticator.authenticate(`bearer ${token}`);
      expect(result).toMatchObject({ ok: true, principal: { subject: 'object-id', name: 'Test User' } });
    });

    it('accepts a token that expired within the clock tolerance', async () => {
      const token = await issuer.sign({}, { expiresInSeconds: -30 });
      expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true });
    });
  });

  describe('rejected tokens', () => {
    it('an expired token', async () => {
      await expectRejected(
        authenticator,
        await issuer.sign({}, { expiresInSeconds: -300 }),
        'TokenExpired',
        /^token expired$/,
      );
    });

    it('a token that is not valid yet', async () => {
      await expectRejected(
        authenticator,
        await issuer.sign({}, { notBeforeSeconds: 300 }),
        'InvalidToken',
        /not valid yet/,
      );
    });

    it('a token for another audience', async () => {
      const token = await issuer.sign({}, { audience: 'api://someone-else' });
      await expectRejected(authenticator, token, 'InvalidToken', /^token audience is not this API$/);
    });

    it('a token from another tenant', async () => {
      const token = await issuer.sign({}, { issuer: 'https://login.microsoftonline.com/other-tenant/v2.0' });
      await expectRejected(authenticator, token, 'InvalidToken', /^token issuer is not trusted$/);
    });

    it('a token without exp', async () => {
      await expectRejected(authenticator, await issuer.sign({ exp: undefined }), 'InvalidToken', /no "exp" claim/);
    });

    it('a token naming no subject', async () => {
      await expectRejected(
        authenticator,
        await issuer.sign({ oid: undefined, sub: undefined }),
        'InvalidToken',
        /no subject/,
      );
    });

    it('a foreign key posing under the trusted kid', async () => {
      const token = await issuer.sign({ roles: ['Workspace.Admin'] }, { key: 'foreign', kid: issuer.kid });
      await expectRejected(authenticator, token, 'InvalidToken', /^token signature is invalid$/);
    });

    it('a foreign key with its own kid, refetching the key set at most once per cooldown', async () => {
      await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`); // key set loaded
      const before = issuer.jwksRequests;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const token = await issuer.sign({}, { key: 'foreign' });
        await expectRejected(authenticator, token, 'InvalidToken', /key the identity provider does not publish/);
      }
      expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
    });

    it('a token whose payload was changed after signing', async () => {
      const [header, , signature] = (await issuer.orgUserToken(['org-a'])).split('.');
      const forged = Buffer.from(
        JSON.stringify({
          iss: issuer.issuer,
          aud: issuer.audience,
          oid: 'x',
          roles: ['Workspace.Admin'],
          exp: 4102444800,
        }),
      ).toString('base64url');
      await expectRejected(
        authenticator,
        `${header}.${forged}.${signature}`,
        'InvalidToken',
        /^token signature is invalid$/,
      );
    });

    it('an unsigned (alg none) token, without even fetching keys', async () => {
      const before = issuer.jwksRequests;
      const token = new UnsecuredJWT({ iss: issuer.issuer, aud: issuer.audience, oid: 'x', roles: ['Workspace.Admin'] })
        .setExpirationTime('1h')
        .encode();
      await expectRejected(authenticator, token, 'InvalidToken', /algorithm is not accepted/);
      expect(issuer.jwksRequests).toBe(before);
    });

    it('an HS256 token (algorithm confusion)', async () => {
      const token = await new SignJWT({ iss: issuer.issuer, aud: issuer.audience, oid: 'x' })
        .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'));
      await expectRejected(authenticator, token, 'InvalidToken', /algorithm is not accepted/);
    });

    it('something that is not a JWT', async () => {
      await expectRejected(authenticator, 'not-a-jwt-at-all', 'InvalidToken', /^token is malformed$/);
    });
  });

  describe('the Authorization header', () => {
    it.each([null, '', '   '])('%j is a missing token', async (header) => {
      expect(await authenticator.authenticate(header)).toMatchObject({ ok: false, code: 'MissingToken' });
    });

    it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Token abc'])('%j is not a bearer token', async (header) => {
      const result = await authenticator.authenticate(header);
      expect(result).toMatchObject({
        ok: false,
        code: 'InvalidToken',
        message: 'Authorization header is not "Bearer <token>"',
      });
    });
  });
});

describe('EntraJwtAuthenticator and the key set over time', () => {
  let issuer: TokenIssuer;
  beforeEach(async () => {
    issuer = await startTokenIssuer();
  });
  afterEach(() => issuer.stop());

  it('follows a key rotation: a token with the new kid validates after one refetch, the old key is refused', async () => {
    const authenticator = authenticatorFor(issuer, { jwksCooldownMs: 0 });
    const oldToken = await issuer.adminToken();
    expect(await authenticator.authenticate(`Bearer ${oldToken}`)).toMatchObject({ ok: true });
    expect(issuer.jwksRequests).toBe(1);

    await issuer.rotateKey();
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({ ok: true });
    expect(issuer.jwksRequests).toBe(2);
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({ ok: true });
    expect(issuer.jwksRequests).toBe(2); // cached

    await expectRejected(authenticator, oldToken, 'InvalidToken', /key the identity provider does not publish/);
  });

  it('throws AuthenticationUnavailableError while the key set answers 503, and recovers when it is back', async () => {
    const authenticator = authenticatorFor(issuer);
    const token = await issuer.adminToken();
    issuer.setAvailable(false);
    await expectUnavailable(authenticator, token, /200 OK/);
    issuer.setAvailable(true);
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true });
  });

  it('keeps validating with cached keys during an outage', async () => {
    const authenticator = authenticatorFor(issuer);
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({ ok: true });
    issuer.setAvailable(false);
    const requests = issuer.jwksRequests;
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({ ok: true });
    expect(issuer.jwksRequests).toBe(requests);
  });

  it('throws AuthenticationUnavailableError when nothing listens at the key set address', async () => {
    const closed = await listen(createServer());
    const url = `http://127.0.0.1:${port(closed)}/keys`;
    await close(closed);
    await expectUnavailable(authenticatorFor(issuer, { jwksUrl: url }), await issuer.adminToken(), /ECONNREFUSED/);
  });

  it('throws AuthenticationUnavailableError when the key set does not answer in time', async () => {
    const silent = await listen(createServer(() => undefined));
    try {
      const authenticator = authenticatorFor(issuer, {
        jwksUrl: `http://127.0.0.1:${port(silent)}/keys`,
        jwksTimeoutMs: 200,
      });
      await expectUnavailable(authenticator, await issuer.adminToken(), /no answer in time/);
    } finally {
      await close(silent);
    }
  });

  it('throws AuthenticationUnavailableError when the key set is not JSON', async () => {
    const html = await listen(
      createServer((_request, response) =>
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>'),
      ),
    );
    try {
      const authenticator = authenticatorFor(issuer, { jwksUrl: `http://127.0.0.1:${port(html)}/keys` });
      await expectUnavailable(authenticator, await issuer.adminToken(), /parse/);
    } finally {
      await close(html);
    }
  });
});

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('EntraJwtAuthenticator with a tenant named by its domain (OpenID discovery)', () => {
  let issuer: TokenIssuer;
  beforeEach(async () => {
    issuer = await startTokenIssuer({ tenantDomain: 'contoso.onmicrosoft.com' });
  });
  afterEach(() => issuer.stop());

  const discovering = (overrides: Partial<EntraJwtAuthenticatorOptions> = {}) =>
    new EntraJwtAuthenticator({
      audiences: [issuer.audience],
      discoveryUrl: issuer.discoveryUrl,
      clockToleranceSeconds: 60,
      ...overrides,
    });

  it('validates a token whose iss carries the tenant GUID, reading the discovery document once', async () => {
    expect(issuer.discoveryUrl).toContain('/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration');
    expect(issuer.issuer).toContain(issuer.tenantId); // the GUID, never the domain
    const authenticator = discovering();
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({
      ok: true,
      principal: { isAdmin: true },
    });
    // v1 tokens carry the same tenant GUID under sts.windows.net.
    const v1 = await issuer.sign({}, { issuer: `https://sts.windows.net/${issuer.tenantId}/` });
    expect(await authenticator.authenticate(`Bearer ${v1}`)).toMatchObject({ ok: true });
    expect(issuer.discoveryRequests).toBe(1);
    expect(issuer.jwksRequests).toBe(1); // the jwks_uri the document names
  });

  it('refuses a token whose iss names the domain, or another tenant', async () => {
    const authenticator = discovering();
    for (const iss of [
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      'https://login.microsoftonline.com/other-tenant/v2.0',
    ]) {
      await expectRejected(
        authenticator,
        await issuer.sign({}, { issuer: iss }),
        'InvalidToken',
        /^token issuer is not trusted$/,
      );
    }
  });

  it('throws AuthenticationUnavailableError while the discovery document answers 503, without caching the failure', async () => {
    const authenticator = discovering();
    const token = await issuer.adminToken();
    issuer.setDiscoveryAvailable(false);
    await expectDiscoveryUnavailable(authenticator, token, /503/);
    issuer.setDiscoveryAvailable(true);
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true });
    issuer.setDiscoveryAvailable(false);
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true }); // cached once read
  });

  it('throws AuthenticationUnavailableError when nothing listens at the discovery address, or it is not a discovery document', async () => {
    const closed = await listen(createServer());
    const url = `http://127.0.0.1:${port(closed)}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`;
    await close(closed);
    await expectDiscoveryUnavailable(discovering({ discoveryUrl: url }), await issuer.adminToken(), /ECONNREFUSED/);
    const wrong = await listen(
      createServer((_request, response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":42}'),
      ),
    );
    try {
      await expectDiscoveryUnavailable(
        discovering({ discoveryUrl: `http://127.0.0.1:${port(wrong)}/x` }),
        await issuer.adminToken(),
        /issuer/,
      );
    } finally {
      await close(wrong);
    }
  });

  it('an explicit key set and issuer list need no discovery', async () => {
    const authenticator = authenticatorFor(issuer);
    expect(await authenticator.authenticate(`Bearer ${await issuer.adminToken()}`)).toMatchObject({ ok: true });
    expect(issuer.discoveryRequests).toBe(0);
  });
});

async function expectDiscoveryUnavailable(
  authenticator: EntraJwtAuthenticator,
  token: string,
  reason: RegExp,
): Promise<void> {
  const error: unknown = await authenticator.authenticate(`Bearer ${token}`).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AuthenticationUnavailableError);
  const message = (error as Error).message;
  expect(message).toMatch(/OpenID configuration .* could not be read/);
  expect(message).toMatch(reason);
  expectNoTokenIn(message, token);
}
