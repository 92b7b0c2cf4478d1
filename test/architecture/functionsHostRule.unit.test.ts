import { describe, expect, it } from 'vitest';
import { ruleCruiser } from './cruiseRules';

const cruise = ruleCruiser();

const host = {
  'src/host/identifiers.ts': "export const TYPES = { Config: Symbol.for('Config') };\n",
  'src/host/config.ts': 'export class ConfigError extends Error {}\n',
};

describe('functions and the host', () => {
  it('lets a function import the service identifiers', () => {
    const output = cruise({
      ...host,
      'src/functions/route.ts': "import { TYPES } from '../host/identifiers';\nexport const x = TYPES;\n",
    });
    expect(output).toMatch(/no dependency violations found/);
  });

  it('refuses any other import of the host from a function', () => {
    const output = cruise({
      ...host,
      'src/functions/route.ts': "import { ConfigError } from '../host/config';\nexport const x = ConfigError;\n",
    });
    expect(output).toMatch(/functions-import-only-identifiers-of-the-host/);
    expect(output).toMatch(/src\/functions\/route\.ts → src\/host\/config\.ts/);
  });
});
