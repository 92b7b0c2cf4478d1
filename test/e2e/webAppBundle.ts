import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ShippedScript {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Chunks a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`), not `import("./x.js")`. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+\.js)["']/g)].map((match) => match[1]!.slice(2));
}

/**
 * The JavaScript a browser must load before the app can run, from a built dist/: the entry script
 * index.html names and every chunk it imports statically, transitively. Lazily imported chunks
 * (Monaco, MSAL) are not in it. Sizes as shipped and gzip-compressed (level 9, as a CDN or the
 * Static Web App would serve them).
 */
export function scriptsBeforeFirstImport(dist: string): ShippedScript[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g)].map((match) => match[1]!);
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...staticImports(readFileSync(join(dist, 'assets', file), 'utf8')));
  }
  return [...seen].map((file) => {
    const bytes = readFileSync(join(dist, 'assets', file));
    return { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
  });
}

/** What the JavaScript budget allows before the editor opens, gzip: the app shell, React, the virtualised tree. */
export const SHELL_BUDGET_GZIP_BYTES = 100 * 1024;
