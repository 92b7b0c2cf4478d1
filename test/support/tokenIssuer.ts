import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A stand-in for the Entra ID endpoints a resource API uses: the tenant's key set (JWKS) over HTTP on
 * loopback, and tokens shaped like Entra v2 access tokens signed with its keys.
 */
export interface TokenIssuer {
  readonly tenantId: string;
  /** `https://login.microsoftonline.com/<tenant>/v2.0`, as Entra v2 tokens carry it. */
  readonly issuer: string;
  /** The API's client id (the `aud` of v2 access tokens). */
  readonly audience: string;
  readonly jwksUrl: string;
  /** The `kid` of the key currently published and used for 'trusted' tokens. */
  readonly kid: string;
  /** How many requests reached the key set path, answered or not. */
  readonly jwksRequests: number;
  /**
   * The tenant's OpenID discovery document (`<authority>/v2.0/.well-known/openid-configuration`), served
   * under the tenant domain when one was given: its `issuer` carries the tenant GUID, as Entra's does.
   */
  readonly discoveryUrl: string;
  /** How many requests reached the discovery document, answered or not. */
  readonly discoveryRequests: number;
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  adminToken(): Promise<string>;
  orgUserToken(orgs: string[], options?: { editor?: boolean }): Promise<string>;
  /** Publishes a fresh key (new kid) in place of the current one. */
  rotateKey(): Promise<void>;
  /** Down = the key set answers 503. */
  setAvailable(up: boolean): void;
  /** Down = the discovery document answers 503. */
  setDiscoveryAvailable(up: boolean): void;
  stop(): Promise<void>;
}

interface SignOptions {
  /** 'foreign' signs with a key the key set never publishes. */
  key?: 'trusted' | 'foreign';
  /** Overrides the header `kid` (e.g. a foreign key posing under the trusted kid). */
  kid?: string;
  /** Default 3600; negative = already expired. */
  expiresInSeconds?: number;
  audience?: string;
  issuer?: string;
  /** `nbf` relative to now; default 0. */
  notBeforeSeconds?: number;
}

const ADMIN_ROLE = 'Workspace.Admin';
const EDITOR_ROLE = 'Workspace.Editor';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  // Entra publishes its keys with kty, use, kid, n, e (and x5c, which verifiers need not use).
  return { kid, privateKey, publicJwk: { ...jwk, kid, use: 'sig' } };
}

/** `issuer` replaces Entra's `https://login.microsoftonline.com/<tenant>/v2.0` (an OpenID provider on loopback). */
export async function startTokenIssuer(
  options: {
    tenantId?: string;
    audience?: string;
    issuer?: string /** e.g. contoso.onmicrosoft.com */;
    tenantDomain?: string;
  } = {},
): Promise<TokenIssuer> {
  const tenantId = options.tenantId ?? randomUUID();
  const audience = options.audience ?? randomUUID();
  const issuer = options.issuer ?? `https://login.microsoftonline.com/${tenantId}/v2.0`;
  const keysPath = `/${tenantId}/discovery/v2.0/keys`;
  const discoveryPath = `/${options.tenantDomain ?? tenantId}/v2.0/.well-known/openid-configuration`;
  let trusted = await newSigningKey();
  const foreign = await newSigningKey();
  let available = true;
  let jwksRequests = 0;
  let discoveryAvailable = true;
  let discoveryRequests = 0;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'GET' && path === discoveryPath) {
      discoveryRequests += 1;
      if (!discoveryAvailable) return answer(response, 503, { error: 'temporarily_unavailable' });
      // The fields a resource API reads, shaped as Entra answers for a tenant named by its domain.
      return answer(response, 200, {
        issuer,
        jwks_uri: `http://127.0.0.1:${port}${keysPath}`,
        token_endpoint: `http://127.0.0.1:${port}/${tenantId}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      });
    }
    if (request.method !== 'GET' || path !== keysPath) return answer(response, 404, { error: 'not_found' });
    jwksRequests += 1;
    if (!available) return answer(response, 503, { error: 'temporarily_unavailable' });
    answer(response, 200, { keys: [trusted.publicJwk] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = async (claims: Record<string, unknown> = {}, opts: SignOptions = {}): Promise<string> => {
    const key = opts.key === 'foreign' ? foreign : trusted;
    const now = Math.floor(Date.now() / 1000);
    const subject = randomUUID();
    const payload = {
      iss: opts.issuer ?? issuer,
      aud: opts.audience ?? audience,
      sub: subject,
      oid: subject,
      tid: tenantId,
      name: 'Test User',
      preferred_username: 'test.user@example.com',
      ver: '2.0',
      iat: now,
      nbf: now + (opts.notBeforeSeconds ?? 0),
      exp: now + (opts.expiresInSeconds ?? 3600),
      ...claims,
    };
    // JSON drops claims set to undefined, so callers can remove a default claim.
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? key.kid })
      .sign(key.privateKey);
  };

  return {
    tenantId,
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}${keysPath}`,
    get kid() {
      return trusted.kid;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    discoveryUrl: `http://127.0.0.1:${port}${discoveryPath}`,
    get discoveryRequests() {
      return discoveryRequests;
    },
    sign,
    adminToken: () => sign({ roles: [ADMIN_ROLE], name: 'MSP Admin' }),
    orgUserToken: (orgs, { editor = false } = {}) =>
      sign({ org_ids: orgs, ...(editor ? { roles: [EDITOR_ROLE] } : {}) }),
    rotateKey: async () => {
      trusted = await newSigningKey();
    },
    setAvailable: (up) => {
      available = up;
    },
    setDiscoveryAvailable: (up) => {
      discoveryAvailable = up;
    },
    stop: async () => {
      server.closeAllConnections(); // fetch keeps connections alive; close would wait for them
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
