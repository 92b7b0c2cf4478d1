import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleCruiser } from './cruiseRules';

const cruise = ruleCruiser();
const root = resolve(__dirname, '../..');

const double = { 'test/doubles/FixedClock.ts': 'export const fixedNow = () => new Date(0);\n' };

describe('what dist/src and the image ship', () => {
  it('refuses source that imports a test double', () => {
    const output = cruise({
      ...double,
      'src/adapters/system/Clock.ts': "export { fixedNow } from '../../../test/doubles/FixedClock';\n",
    });
    expect(output).toMatch(/shipped-code-has-no-test-code/);
  });

  it('lets tests import source', () => {
    const output = cruise({ ...double, 'src/adapters/system/Clock.ts': 'export const now = () => new Date();\n' });
    expect(output).toMatch(/no dependency violations found/);
  });

  it('keeps every contract suite and test double out of src', () => {
    const shipped = readdirSync(resolve(root, 'src'), { recursive: true, encoding: 'utf8' });
    expect(
      shipped.filter((path) =>
        /\.(contract|fixtures|test)\.ts$|ManualClock|SequentialIdGenerator|InMemorySourceRepository|InMemoryRepositoryAdmin/.test(
          path,
        ),
      ),
    ).toEqual([]);
  });
});
