import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIR, ensureWebAppBuilt } from './webApp';
import { SHELL_BUDGET_GZIP_BYTES, scriptsBeforeFirstImport } from './webAppBundle';

const DIST = join(CLIENT_DIR, 'dist');

/**
 * The built web app as the local host serves it: production React, Monaco and MSAL only in lazily
 * loaded chunks, and the JavaScript needed before a file is opened within its budget.
 */
describe('the built web app', () => {
  let assets: string[];

  beforeAll(() => {
    // Built the way the e2e tests build it: from inside vitest, whose NODE_ENV is 'test'.
    ensureWebAppBuilt();
    assets = readdirSync(join(DIST, 'assets'));
  }, 240_000);

  it("ships React's production build, not its development build", () => {
    const shell = scriptsBeforeFirstImport(DIST);
    const code = shell.map((script) => readFileSync(join(DIST, 'assets', script.file), 'utf8')).join('\n');
    expect(code).not.toMatch(/react-dom-client\.development|jsxDEV\b/);
  });

  it('keeps Monaco and MSAL out of what loads before a file is opened', () => {
    const shell = scriptsBeforeFirstImport(DIST).map((script) => script.file);
    expect(shell.filter((file) => /^(editor\.api|CodeEditor|msalSession)-/.test(file))).toEqual([]);
    // They exist, as chunks of their own.
    expect(assets.some((file) => /^editor\.api-.*\.js$/.test(file))).toBe(true);
    expect(assets.some((file) => /^msalSession-.*\.js$/.test(file))).toBe(true);
  });

  it(`fits the shell in its budget of ${SHELL_BUDGET_GZIP_BYTES / 1024} KiB of gzip-compressed JavaScript`, () => {
    const gzip = scriptsBeforeFirstImport(DIST).reduce((sum, script) => sum + script.gzipBytes, 0);
    expect(gzip).toBeLessThanOrEqual(SHELL_BUDGET_GZIP_BYTES);
  });
});
