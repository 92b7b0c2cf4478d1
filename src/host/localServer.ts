import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler } from '@azure/functions';
import type { Container } from 'inversify';
import type { HttpFunctionDefinition } from '../functions/definitions';
import type { Logger } from '../ports/Logger';

/** Largest request body the local host buffers before a handler sees it (handlers set lower limits). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

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
 * request becomes an `HttpRequest` with route params, each handler result an HTTP response.
 */
export async function startLocalServer(options: {
  readonly functions: readonly HttpFunctionDefinition[];
  readonly container: Container;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
}): Promise<LocalServer> {
  const routes = options.functions.map((definition) => compileRoute(definition, definition.build(options.container)));
  const server = createServer((req, res) => {
    handle(routes, req, res, options.logger).catch((error: unknown) => {
      options.logger.error({ error: error instanceof Error ? error.message : String(error) }, 'local host failed to answer');
      if (!res.headersSent) sendJson(res, 500, { error: 'InternalError', message: 'unexpected error' });
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
      const param = /^\{(\w+)(?::[^}]*)?(\?)?\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { definition, handler, paramNames, pattern: new RegExp(`^/api/${source}/?$`) };
}

async function handle(routes: readonly Route[], req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const matches = routes
    .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
    .filter((candidate): candidate is { route: Route; match: RegExpExecArray } => candidate.match !== null);
  if (matches.length === 0) return sendJson(res, 404, { error: 'NotFound', message: `no route for ${url.pathname}` });
  const chosen = matches.find(({ route }) => route.definition.methods.includes(method as never));
  if (!chosen) {
    res.setHeader('allow', [...new Set(matches.flatMap(({ route }) => route.definition.methods))].join(', '));
    return sendJson(res, 405, { error: 'MethodNotAllowed', message: `${method} is not allowed on ${url.pathname}` });
  }

  const body = await readRequest(req);
  if (body === 'too-large') return sendJson(res, 413, { error: 'PayloadTooLarge', message: `request bodies are limited to ${MAX_REQUEST_BYTES} bytes` });
  const params: Record<string, string> = {};
  chosen.route.paramNames.forEach((name, index) => {
    params[name] = decodeURIComponent(chosen.match[index + 1]!);
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request = new HttpRequest({
    method,
    url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
    headers,
    params,
    query: Object.fromEntries(url.searchParams),
    ...(body.byteLength > 0 ? { body: { bytes: body } } : {}),
  });
  const context = new InvocationContext({
    invocationId: globalThis.crypto.randomUUID(),
    functionName: chosen.route.definition.name,
    logHandler: (level, ...args) => logger.debug({ level }, args.map(String).join(' ')),
  });
  const result = await chosen.route.handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (response.body && method !== 'HEAD') {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
  } else {
    res.end();
  }
}

async function readRequest(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_REQUEST_BYTES) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > MAX_REQUEST_BYTES) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
