import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version in the nearest package.json above this file (source and compiled layouts alike). */
export function appVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'workspace-sync' && manifest.version) return manifest.version;
    } catch {
      // not here: look one folder up
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}
