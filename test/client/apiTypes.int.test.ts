import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = join(__dirname, '../..').replace(/[\\/]dist$/, '');

/**
 * The web app's API types are generated from the OpenAPI document of the built backend: a route or
 * schema change that the client does not know about fails here (`npm run api-types -w client`).
 */
describe('client API types', () => {
  it('match what the current backend describes', async () => {
    const generator = (await import(join(projectRoot, 'client/scripts/apiTypes.mjs'))) as {
      generateApiTypes: () => Promise<string>;
    };
    const committed = await readFile(join(projectRoot, 'client/src/api/schema.d.ts'), 'utf8');
    expect(committed).toBe(await generator.generateApiTypes());
  }, 60_000);
});
