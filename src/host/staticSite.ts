import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every built asset under assets/ by its content hash: a changed file has a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and anything unhashed) is revalidated on every load, so a new build shows at once. */
const REVALIDATE = 'no-cache';

export interface StaticSite {
  readonly root: string;
  /** Answers GET/HEAD outside `/api`; false when the request is not the site's (the caller routes it). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** The built web app's folder as the local host finds it: `client/dist` of the project. */
export function defaultSiteRoot(): string {
  // Compiled, this file is dist/src/host/staticSite.js; from source (tests), src/host/staticSite.ts.
  const projectRoot = __dirname.includes(`${sep}dist${sep}src${sep}`)
    ? resolve(__dirname, '../../..')
    : resolve(__dirname, '../..');
  return join(projectRoot, 'client', 'dist');
}

/**
 * Content-Security-Policy of the web app: everything from 'self', plus the sign-in authority
 * (discovery, token and silent-renewal requests). Monaco sets inline styles, so styles allow them;
 * scripts never do.
 */
function contentSecurityPolicy(authorityOrigin: string | null): string {
  const authority = authorityOrigin ? ` ${authorityOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src 'self'${authority}`,
    `frame-src 'self'${authority}`,
    `form-action 'self'${authority}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Serves the single-page app from `root`: files as they are, hashed assets cached for a year,
 * index.html revalidated, and any other navigation (a path without a file extension) answered with
 * index.html so client-side routes survive a reload. Returns null when the app is not built.
 */
export async function loadStaticSite(
  root: string,
  options: { readonly authorityOrigin: string | null },
): Promise<StaticSite | null> {
  const index = join(root, 'index.html');
  const indexStat = await stat(index).catch(() => null);
  if (!indexStat?.isFile()) return null;
  const headers = {
    'content-security-policy': contentSecurityPolicy(options.authorityOrigin),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };

  async function send(
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    size: number,
    mtime: Date,
    cacheControl: string,
  ): Promise<void> {
    const etag = `W/"${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('cache-control', cacheControl);
    res.setHeader('etag', etag);
    res.setHeader('last-modified', mtime.toUTCString());
    res.setHeader('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('content-length', String(size));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(file), res);
  }

  return {
    root,
    async handle(req, res) {
      const method = (req.method ?? 'GET').toUpperCase();
      const pathname = new URL(req.url ?? '/', 'http://site').pathname;
      if (pathname === '/api' || pathname.startsWith('/api/')) return false;
      if (method !== 'GET' && method !== 'HEAD') return false;
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        return false;
      }
      // Never outside the site folder, whatever the path spells.
      const file = normalize(join(root, decoded));
      if (decoded.includes('\0') || (file !== root && !file.startsWith(root + sep))) return false;
      const found = decoded === '/' ? null : await stat(file).catch(() => null);
      if (found?.isFile()) {
        await send(req, res, file, found.size, found.mtime, decoded.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
        return true;
      }
      // A missing asset is a 404 (never index.html, which a browser would try to run as a script).
      if (extname(decoded) !== '' || decoded.startsWith('/assets/')) return false;
      const current = await stat(index);
      await send(req, res, index, current.size, current.mtime, REVALIDATE);
      return true;
    },
  };
}
