import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loopbackCertificate } from './selfSignedCertificate';
import { startTokenIssuer, type TokenIssuer } from './tokenIssuer';

/** The person who signs in at the provider's login form, and what their tokens say about them. */
interface OidcUser {
  readonly name: string;
  readonly username: string;
  /** App roles (`roles` claim), e.g. Workspace.Admin. */
  readonly roles?: readonly string[];
  /** Organisation ids (`org_ids` claim). */
  readonly organizations?: readonly string[];
}

/** What reached the provider, in order, for assertions (`authorize-form` = the login form was shown). */
type OidcEvent =
  | 'discovery'
  | 'keys'
  | 'authorize-form'
  | 'authorize-sso'
  | 'sign-in'
  | 'code'
  | 'refresh'
  | 'sign-out';

/**
 * An OpenID provider on loopback, shaped like Entra ID's v2 endpoints so `@azure/msal-browser` can
 * sign in against it in OIDC protocol mode: discovery, JWKS, an authorization endpoint (authorization
 * code + PKCE S256 only) with a one-button login form and a session cookie for single sign-on, a token
 * endpoint (authorization_code and refresh_token grants) that answers browsers with CORS, and an
 * end-session endpoint. It serves HTTPS (MSAL refuses an `http:` authority) with the loopback test
 * certificate, and its tokens are signed by a test token issuer whose `issuer` is this provider.
 */
export interface OidcProvider {
  /** `https://127.0.0.1:<port>/<tenant>`: what MSAL takes as its authority. */
  readonly authority: string;
  /** `<authority>/v2.0`: the `iss` of every token, the API's AUTH_ISSUER. */
  readonly issuer: string;
  /** Signs the tokens; its key set is the API's AUTH_JWKS_URL, its audience the API's AUTH_AUDIENCE. */
  readonly tokens: TokenIssuer;
  /** The web app's application (client) id, the API's AUTH_CLIENT_ID. */
  readonly clientId: string;
  /** PEM of the certificate the provider serves, for the browser to trust. */
  readonly certificate: string;
  readonly events: readonly OidcEvent[];
  /** Like an app registration's redirect URIs: the only places codes and sign-outs are sent to. */
  registerRedirectUri(uri: string): void;
  /** Who signs in next (default: an MSP admin). */
  setUser(user: OidcUser): void;
  /** Revokes every refresh token issued so far (the provider session stays), as an admin's "revoke sessions" would. */
  revokeRefreshTokens(): void;
  stop(): Promise<void>;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly scope: string;
  readonly nonce: string | undefined;
  readonly user: SignedInUser;
  readonly expiresAt: number;
}

interface SignedInUser extends OidcUser {
  readonly subject: string;
}

interface Grant {
  readonly clientId: string;
  readonly scope: string;
  readonly user: SignedInUser;
}

const SESSION_COOKIE = 'oidc_session';
const CODE_LIFETIME_MS = 60_000;
const ENTRA_DEFAULT_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export async function startOidcProvider(
  options: { readonly accessTokenLifetimeSeconds?: number } = {},
): Promise<OidcProvider> {
  const certificate = await loopbackCertificate();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const redirectUris = new Set<string>();
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant>();
  const sessions = new Map<string, SignedInUser>();
  const events: OidcEvent[] = [];
  const subjects = new Map<string, string>();
  let user: OidcUser = { name: 'MSP Admin', username: 'admin@example.test', roles: ['Workspace.Admin'] };
  let tokens: TokenIssuer | undefined;

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: 'server_error', error_description: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authority = `${origin}/${tenantId}`;
  const issuer = `${authority}/v2.0`;
  const endpoints = {
    authorization: `${authority}/oauth2/v2.0/authorize`,
    token: `${authority}/oauth2/v2.0/token`,
    endSession: `${authority}/oauth2/v2.0/logout`,
    keys: `${authority}/discovery/v2.0/keys`,
  };
  tokens = await startTokenIssuer({ tenantId, issuer });

  function signedIn(who: OidcUser): SignedInUser {
    let subject = subjects.get(who.username);
    if (!subject) {
      subject = randomUUID();
      subjects.set(who.username, subject);
    }
    return { ...who, subject };
  }

  async function issueTokens(grant: Grant, nonce: string | undefined): Promise<Record<string, unknown>> {
    const lifetime = options.accessTokenLifetimeSeconds ?? 3600;
    const identity = {
      sub: grant.user.subject,
      oid: grant.user.subject,
      name: grant.user.name,
      preferred_username: grant.user.username,
    };
    const apiScopes = grant.scope.split(' ').filter((scope) => !ENTRA_DEFAULT_SCOPES.has(scope));
    const accessToken = await tokens!.sign(
      {
        ...identity,
        scp: apiScopes.map((scope) => scope.split('/').pop()).join(' '),
        azp: grant.clientId,
        ...(grant.user.roles?.length ? { roles: grant.user.roles } : {}),
        ...(grant.user.organizations?.length ? { org_ids: grant.user.organizations } : {}),
      },
      { expiresInSeconds: lifetime },
    );
    const idToken = await tokens!.sign({ ...identity, ...(nonce ? { nonce } : {}) }, { audience: grant.clientId });
    const refreshToken = randomBytes(24).toString('base64url');
    refreshTokens.set(refreshToken, grant);
    return {
      token_type: 'Bearer',
      scope: grant.scope,
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      id_token: idToken,
      refresh_token: refreshToken,
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', origin);
    const path = `${origin}${url.pathname}`;
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return preflight(request, response);
    if (
      method === 'GET' &&
      (path === `${authority}/.well-known/openid-configuration` ||
        path === `${issuer}/.well-known/openid-configuration`)
    ) {
      events.push('discovery');
      return json(response, 200, discovery(), cors(request));
    }
    if (method === 'GET' && path === endpoints.keys) {
      events.push('keys');
      const keys = await (await fetch(tokens!.jwksUrl)).json();
      return json(response, 200, keys, cors(request));
    }
    if (path === endpoints.authorization && (method === 'GET' || method === 'POST'))
      return authorize(request, response, method === 'GET' ? url.searchParams : await formOf(request));
    if (method === 'POST' && path === endpoints.token) return token(request, response, await formOf(request));
    if (method === 'GET' && path === endpoints.endSession) return endSession(request, response, url.searchParams);
    json(response, 404, { error: 'not_found' });
  }

  function discovery(): Record<string, unknown> {
    return {
      issuer,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      end_session_endpoint: endpoints.endSession,
      jwks_uri: endpoints.keys,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid'],
    };
  }

  /** GET shows the login form (or signs straight in with a session); POST is the form's submission. */
  function authorize(request: IncomingMessage, response: ServerResponse, params: URLSearchParams): void {
    const redirectUri = params.get('redirect_uri') ?? '';
    // An unknown client or redirect URI is never redirected to: the error is shown here.
    if (params.get('client_id') !== clientId) {
      page(
        response,
        400,
        'Unknown application',
        `<p>client_id ${escapeHtml(params.get('client_id') ?? '')} is not registered.</p>`,
      );
      return;
    }
    if (!redirectUris.has(redirectUri)) {
      page(
        response,
        400,
        'Redirect URI not registered',
        `<p>${escapeHtml(redirectUri)} is not a redirect URI of this application.</p>`,
      );
      return;
    }
    const reply = (answer: Record<string, string>) =>
      redirectWith(response, redirectUri, params.get('response_mode') ?? 'query', {
        ...answer,
        ...(params.has('state') ? { state: params.get('state')! } : {}),
      });
    if (params.get('response_type') !== 'code') {
      reply({
        error: 'unsupported_response_type',
        error_description: 'only the authorization code flow is supported',
      });
      return;
    }
    if (!params.get('code_challenge') || params.get('code_challenge_method') !== 'S256') {
      reply({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' });
      return;
    }
    if (!(params.get('scope') ?? '').split(' ').includes('openid')) {
      reply({ error: 'invalid_scope', error_description: 'the openid scope is required' });
      return;
    }

    const sessionId = cookieOf(request, SESSION_COOKIE);
    const session = sessionId ? sessions.get(sessionId) : undefined;
    const prompt = params.get('prompt');
    const issueCode = (who: SignedInUser) => {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId,
        redirectUri,
        challenge: params.get('code_challenge')!,
        scope: params.get('scope')!,
        nonce: params.get('nonce') ?? undefined,
        user: who,
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      reply({ code });
    };

    if (request.method === 'POST') {
      const who = signedIn(user);
      const id = randomBytes(16).toString('base64url');
      sessions.set(id, who);
      response.setHeader('set-cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=None`);
      events.push('sign-in');
      issueCode(who);
      return;
    }
    if (session && prompt !== 'login' && prompt !== 'select_account') {
      events.push('authorize-sso');
      issueCode(session);
      return;
    }
    if (prompt === 'none') {
      reply({ error: 'login_required', error_description: 'no session at the provider' });
      return;
    }
    events.push('authorize-form');
    const hidden = [...params]
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    page(
      response,
      200,
      'Sign in',
      `<p>Test OpenID provider. Signing in as <strong>${escapeHtml(user.name)}</strong> (${escapeHtml(user.username)}).</p>
       <form method="post" action="${escapeHtml(endpoints.authorization)}">${hidden}<button type="submit">Sign in as ${escapeHtml(user.name)}</button></form>`,
    );
  }

  async function token(request: IncomingMessage, response: ServerResponse, form: URLSearchParams): Promise<void> {
    const headers = cors(request);
    const refuse = (error: string, description: string) =>
      json(response, 400, { error, error_description: description }, headers);
    if (form.get('client_id') !== clientId) return refuse('invalid_client', 'unknown client_id');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // a code is good for one exchange, whatever its outcome
      if (!pending || pending.expiresAt < Date.now())
        return refuse('invalid_grant', 'the code is unknown, used or expired');
      if (pending.redirectUri !== form.get('redirect_uri'))
        return refuse('invalid_grant', 'redirect_uri differs from the authorization request');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge)
        return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
      events.push('code');
      return json(
        response,
        200,
        await issueTokens({ clientId, scope: form.get('scope') ?? pending.scope, user: pending.user }, pending.nonce),
        headers,
      );
    }
    if (grantType === 'refresh_token') {
      const grant = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant) return refuse('invalid_grant', 'the refresh token is unknown or revoked');
      events.push('refresh');
      return json(
        response,
        200,
        await issueTokens({ ...grant, scope: form.get('scope') ?? grant.scope }, undefined),
        headers,
      );
    }
    refuse('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  /** Ends the provider session (and revokes its refresh tokens), then returns to the app. */
  function endSession(request: IncomingMessage, response: ServerResponse, params: URLSearchParams): void {
    events.push('sign-out');
    const sessionId = cookieOf(request, SESSION_COOKIE);
    const session = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId) sessions.delete(sessionId);
    if (session)
      for (const [refreshToken, grant] of refreshTokens)
        if (grant.user.subject === session.subject) refreshTokens.delete(refreshToken);
    response.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None`);
    const back = params.get('post_logout_redirect_uri');
    if (back && redirectUris.has(back)) {
      response.writeHead(302, { location: back }).end();
      return;
    }
    page(response, 200, 'Signed out', '<p>You have been signed out.</p>');
  }

  function cors(request: IncomingMessage): Record<string, string> {
    const requestOrigin = request.headers.origin;
    const allowed = requestOrigin && [...redirectUris].some((uri) => new URL(uri).origin === requestOrigin);
    return allowed ? { 'access-control-allow-origin': requestOrigin, vary: 'Origin' } : {};
  }

  function preflight(request: IncomingMessage, response: ServerResponse): void {
    response
      .writeHead(204, {
        ...cors(request),
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '',
        'access-control-max-age': '600',
      })
      .end();
  }

  return {
    authority,
    issuer,
    tokens,
    clientId,
    certificate: certificate.cert,
    events,
    registerRedirectUri: (uri) => void redirectUris.add(uri),
    setUser: (next) => {
      user = next;
    },
    revokeRefreshTokens: () => refreshTokens.clear(),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tokens!.stop().catch(() => undefined); // an ApiHarness given these tokens may have stopped them
    },
  };
}

function redirectWith(
  response: ServerResponse,
  redirectUri: string,
  responseMode: string,
  answer: Record<string, string>,
): void {
  const encoded = new URLSearchParams(answer).toString();
  const location =
    responseMode === 'fragment'
      ? `${redirectUri}#${encoded}`
      : `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${encoded}`;
  response.writeHead(302, { location, 'cache-control': 'no-store' }).end();
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
    .end(JSON.stringify(body));
}

function page(response: ServerResponse, status: number, title: string, body: string): void {
  response
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
