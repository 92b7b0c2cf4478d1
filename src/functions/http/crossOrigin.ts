import { type HttpHandler, type HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { Config } from '../../host/identifiers';
import { problem } from './problem';

/**
 * Who may call the API from a browser, and under which names. This code is the one CORS policy: in
 * Azure, leave the Function App's platform CORS list empty (App Service CORS, when it names any
 * origin, answers preflights itself and this code's answers are overridden), and list the SPA's
 * origin in CORS_ALLOWED_ORIGINS instead.
 */
export interface CrossOriginPolicy {
  /** Origins besides the request's own whose pages may call: PUBLIC_BASE_URL's and CORS_ALLOWED_ORIGINS. */
  readonly allowedOrigins: ReadonlySet<string>;
  /**
   * Only loopback names are accepted as Host. Set for the development identity, which acts for
   * whoever can reach it: a page on a name rebound to 127.0.0.1 (DNS rebinding) reaches it too.
   */
  readonly loopbackNamesOnly: boolean;
}

/** What a route says about its callers. */
export interface RouteCallers {
  /** Servers call it under whatever name a tunnel or proxy gives it, and it authenticates each request itself (the HMAC-signed webhook). */
  readonly anyHost?: boolean;
}

/** Request headers the API reads, granted to cross-origin pages. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'if-none-match', 'x-organization-id'];
/** Response headers a cross-origin page may read (ETag for edits, retry hints, the zip's file name, why a token failed). */
const EXPOSED_HEADERS = ['etag', 'retry-after', 'content-disposition', 'www-authenticate'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function crossOriginPolicy(
  config: Pick<Config, 'AUTH_MODE' | 'PUBLIC_BASE_URL' | 'corsAllowedOrigins'>,
): CrossOriginPolicy {
  const allowed = new Set(config.corsAllowedOrigins);
  if (config.PUBLIC_BASE_URL) allowed.add(new URL(config.PUBLIC_BASE_URL).origin);
  return { allowedOrigins: allowed, loopbackNamesOnly: config.AUTH_MODE === 'development' };
}

/** localhost, 127.0.0.0/8 and ::1, as `URL.hostname` spells them. */
function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** A 403 when the request's Host or Origin is not one this service serves; null to go on. */
function refuseByOrigin(request: HttpRequest, policy: CrossOriginPolicy, route: RouteCallers): HttpResponseInit | null {
  const own = new URL(request.url);
  if (policy.loopbackNamesOnly && !route.anyHost && !isLoopbackName(own.hostname)) {
    return problem(
      403,
      'HostNotAllowed',
      `'${own.host.slice(0, 100)}' is not a name of this machine: with AUTH_MODE=development the API answers only on localhost, 127.0.0.1 and [::1]`,
    );
  }
  const origin = request.headers.get('origin');
  // Non-browser callers (GitHub, scripts) send no Origin; browsers send it on every cross-origin request and every POST.
  if (origin !== null && origin !== own.origin && !policy.allowedOrigins.has(origin)) {
    return problem(
      403,
      'OriginNotAllowed',
      `pages on ${origin.slice(0, 100)} may not call this API; an operator can add the origin to CORS_ALLOWED_ORIGINS`,
    );
  }
  return null;
}

/**
 * Wraps a route's handler: refuses foreign Hosts and Origins before anything else runs, answers CORS
 * preflights (OPTIONS) for the route's methods, and grants allowed origins read access to answers.
 * Shared by the local host and the Functions host, so both enforce the same policy.
 */
export function guardCrossOrigin(
  handler: HttpHandler,
  options: { policy: CrossOriginPolicy; route: RouteCallers; methods: () => readonly string[] },
): HttpHandler {
  const { policy, route } = options;
  return async (request, context) => {
    const refused = refuseByOrigin(request, policy, route);
    if (refused) return withVary(refused);
    const origin = request.headers.get('origin');
    if (request.method === 'OPTIONS')
      return preflight(origin, request.headers.has('access-control-request-method'), options.methods());
    const result = await handler(request, context);
    return origin === null ? withVary(result) : grant(result, origin);
  };
}

function preflight(origin: string | null, isPreflight: boolean, methods: readonly string[]): HttpResponseInit {
  if (origin === null || !isPreflight) return { status: 204, headers: { allow: [...methods, 'OPTIONS'].join(', ') } };
  return {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    },
  };
}

/** No credentials are granted: the API authenticates with bearer tokens, never cookies. */
function grant(response: HttpResponseInit | HttpResponse, origin: string): HttpResponseInit | HttpResponse {
  return setHeaders(response, {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  });
}

function withVary(response: HttpResponseInit | HttpResponse): HttpResponseInit | HttpResponse {
  return setHeaders(response, { vary: 'Origin' });
}

function setHeaders(
  response: HttpResponseInit | HttpResponse,
  added: Record<string, string>,
): HttpResponseInit | HttpResponse {
  const headers =
    response instanceof HttpResponse
      ? response.headers
      : new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
  for (const [name, value] of Object.entries(added)) {
    const existing = name === 'vary' ? headers.get('vary') : null;
    headers.set(name, existing && !/\borigin\b/i.test(existing) ? `${existing}, ${value}` : (existing ?? value));
  }
  return response instanceof HttpResponse ? response : { ...response, headers };
}
