import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * A stand-in for Azure Static Web Apps on loopback: serves a built folder with the headers of that
 * folder's staticwebapp.config.json (`globalHeaders`, as the platform applies them to every answer)
 * and its navigation fallback to index.html. Enough to run the SPA on an origin of its own.
 */
export interface StaticWebApp {
  readonly origin: string;
  /** Starts serving `folder` (a `vite build` output with its staticwebapp.config.json). */
  serve(folder: string): Promise<void>;
  /** The headers every answer carries, from the served folder's configuration. */
  readonly headers: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startStaticWebApp(): Promise<StaticWebApp> {
  let root: string | null = null;
  let headers: Record<string, string> = {};
  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!root || (request.method !== 'GET' && request.method !== 'HEAD')) return void response.writeHead(404).end();
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://site').pathname);
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) return void response.writeHead(404).end();
    const found = await stat(file).catch(() => null);
    const served = found?.isFile() ? file : extname(path) === '' ? join(root, 'index.html') : null;
    if (!served) return void response.writeHead(404, headers).end();
    response.writeHead(200, { ...headers, 'content-type': TYPES[extname(served)] ?? 'application/octet-stream' });
    createReadStream(served).pipe(response);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get headers() {
      return headers;
    },
    async serve(folder) {
      const config = JSON.parse(await readFile(join(folder, 'staticwebapp.config.json'), 'utf8')) as {
        globalHeaders?: Record<string, string>;
      };
      headers = { ...(config.globalHeaders ?? {}) };
      root = folder;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
