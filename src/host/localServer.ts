import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type HttpHandler,
  HttpRequest,
  type HttpRequestInit,
  HttpResponse,
  type HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import type { Container } from 'inversify';
import type { HttpFunctionDefinition } from '../functions/definitions';
import type { Logger } from '../ports/Logger';
import { LocalNativeRequest } from './localRequest';
import type { StaticSite } from './staticSite';

/**
 * Bytes of a body nobody read (refused before reading: no token, too large, wrong route) discarded
 * after the answer, so that the client reads the answer before the connection closes; a client still
 * sending past this is cut off.
 */
const UNREAD_BODY_DRAIN_BYTES = 8 * 1024 * 1024;

interface Route {
  readonly definition: HttpFunctionDefinition;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly handler: HttpHandler;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/**
 * Serves the Functions HTTP handlers over node:http under `/api`, as the Functions host would: each
 * request becomes an `HttpRequest` with route params, each handler result an HTTP response. Bodies
 * stream to the handler unread, as under the Functions host with `enableHttpStream`: a handler
 * authenticates first and reads only what its route allows.
 */
export async function startLocalServer(options: {
  readonly functions: readonly HttpFunctionDefinition[];
  readonly container: Container;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** The built web app, served outside `/api` (absent = API only). */
  readonly site?: StaticSite | null;
}): Promise<LocalServer> {
  const routes = options.functions.map((definition) => compileRoute(definition, definition.build(options.container)));
  const server = createServer((req, res) => {
    res.once('finish', () => {
      if (!req.complete) discardUnreadBody(req);
    });
    handle(routes, req, res, options.logger, options.site ?? null).catch((error: unknown) => {
      options.logger.error(
        { error: error instanceof Error ? error.message : String(error) },
        'local host failed to answer',
      );
      if (!res.headersSent) sendJson(req, res, 500, { error: 'InternalError', message: 'unexpected error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${shownHost}:${port}`, port, close: () => closeServer(server) };
}

function compileRoute(definition: HttpFunctionDefinition, handler: HttpHandler): Route {
  const paramNames: string[] = [];
  const source = definition.route
    .split('/')
    .map((segment) => {
      const name = /^\{(\w+)(?::[^}]*)?(\?)?\}$/.exec(segment)?.[1];
      if (name === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { definition, handler, paramNames, pattern: new RegExp(`^/api/${source}/?$`) };
}

async function handle(
  routes: readonly Route[],
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
  site: StaticSite | null,
): Promise<void> {
  const host = validHost(req.headers.host);
  if (host === null)
    return sendJson(req, res, 400, {
      error: 'InvalidHost',
      message: 'the Host header must be a host name or address, with an optional port',
    });
  // Origin-form only (`/api/...`): an absolute URL as the target would name another host than Host.
  const url = req.url?.startsWith('/') ? parseUrl(`http://${host}${req.url}`) : null;
  if (url === null)
    return sendJson(req, res, 400, { error: 'InvalidUrl', message: 'the request target must be a path' });
  if (site && (await site.handle(req, res))) return;
  const method = (req.method ?? 'GET').toUpperCase();
  const matches = routes
    .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
    .filter((candidate): candidate is { route: Route; match: RegExpExecArray } => candidate.match !== null);
  if (matches.length === 0)
    return sendJson(req, res, 404, { error: 'NotFound', message: `no route for ${url.pathname}` });
  // A preflight goes to the route's handler, whose cross-origin guard answers it with all the route's methods.
  const chosen =
    method === 'OPTIONS' ? matches[0] : matches.find(({ route }) => route.definition.methods.includes(method as never));
  if (!chosen) {
    res.setHeader('allow', [...new Set(matches.flatMap(({ route }) => route.definition.methods))].join(', '));
    return sendJson(req, res, 405, {
      error: 'MethodNotAllowed',
      message: `${method} is not allowed on ${url.pathname}`,
    });
  }

  const params: Record<string, string> = {};
  for (const [index, name] of chosen.route.paramNames.entries()) {
    // Every parameter's group takes part in a match; were one missing, the path is refused, not guessed.
    const raw = chosen.match[index + 1];
    const decoded = raw === undefined ? null : decodePathSegment(raw);
    if (decoded === null)
      return sendJson(req, res, 400, {
        error: 'InvalidUrl',
        message: `the path has malformed percent-encoding in its ${name}`,
      });
    params[name] = decoded;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
  const nativeRequest = new LocalNativeRequest(url.href, method, headers, hasBody ? req : null);
  // `nativeRequest` is how @azure/functions' own streaming host (createStreamRequest) hands a body over unread.
  const request = new HttpRequest({ nativeRequest, params } as unknown as HttpRequestInit);
  const context = new InvocationContext({
    invocationId: globalThis.crypto.randomUUID(),
    functionName: chosen.route.definition.name,
    logHandler: (level, ...args) => logger.debug({ level }, args.map(String).join(' ')),
  });
  const result = await chosen.route.handler(request, context);
  const plain = result instanceof HttpResponse ? null : plainAnswer(result);
  if (plain) return sendPlain(req, res, plain, method);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  closeIfUnread(req, res);
  if (response.body && method !== 'HEAD') {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
  } else {
    res.end();
  }
}

/** Statuses that never carry a body (HttpResponse leaves it out too). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

interface PlainAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string | undefined;
}

/**
 * A handler's answer without a stream, a body of its own or cookies (every JSON answer): what
 * `new HttpResponse(init)` would send, written without building a web Response and streaming it,
 * which cost more CPU than the rest of a webhook's handling. Anything else takes the general path.
 */
function plainAnswer(init: HttpResponseInit): PlainAnswer | null {
  if (
    init.body !== undefined ||
    (init.cookies !== undefined && init.cookies.length > 0) ||
    init.enableContentNegotiation
  )
    return null;
  const status = init.status ?? 200;
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  if (init.jsonBody === undefined || NULL_BODY_STATUSES.has(status)) return { status, headers, body: undefined };
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return { status, headers, body: JSON.stringify(init.jsonBody) };
}

function sendPlain(req: IncomingMessage, res: ServerResponse, answer: PlainAnswer, method: string): void {
  res.statusCode = answer.status;
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  closeIfUnread(req, res);
  if (answer.body === undefined || method === 'HEAD') res.end();
  else res.end(answer.body);
}

/** The Host header when it is a plain `name[:port]` (no user, path or spaces), lower-cased; else null. */
function validHost(header: string | undefined): string | null {
  if (!header || header.length > 255) return null;
  try {
    const parsed = new URL(`http://${header}`);
    return parsed.host === header.toLowerCase() || `${parsed.host}:80` === header.toLowerCase()
      ? header.toLowerCase()
      : null;
  } catch {
    return null;
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** An answer given while the body is still arriving ends the connection: the rest is not worth reading. */
function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) res.setHeader('connection', 'close');
}

function discardUnreadBody(req: IncomingMessage): void {
  req.unpipe();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength;
    if (discarded > UNREAD_BODY_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  closeIfUnread(req, res);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
