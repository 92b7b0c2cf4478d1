import { describe, expect, it } from 'vitest';
import { readStages } from './dockerfileInstructions';
import { readProjectFile, readProjectJson } from './infraFiles';

/**
 * The suite runs on the Node the image runs: the `node` devDependency puts that release first on PATH
 * inside npm scripts (`npm test`), whatever Node the machine has.
 */

interface PackageJson {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packageJson = readProjectJson('package.json') as PackageJson;
const stages = readStages(readProjectFile('Dockerfile'));

function major(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1]);
}

/** The Node major an image tag names: `node:4-node22` (Functions) or `node:22-bookworm-slim`. */
function nodeMajorOfImage(image: string): number {
  const tag = image.slice(image.lastIndexOf(':') + 1);
  const found = /(?:^|-)node(\d+)(?:-|$)/.exec(tag) ?? /^(\d+)(?:[.-]|$)/.exec(tag);
  if (!found) throw new Error(`no Node version in the image tag of ${image}`);
  return Number(found[1]);
}

/** `>=22` or `>=22.12.0`: the only form engines.node is written in here. */
function satisfiesMinimum(version: string, range: string): boolean {
  const minimum = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!minimum) throw new Error(`engines.node '${range}' is not of the form >=X[.Y[.Z]]`);
  const have = version.replace(/^v/, '').split('.').map(Number);
  const want = [1, 2, 3].map((index) => Number(minimum[index] ?? 0));
  for (let index = 0; index < 3; index += 1) {
    if ((have[index] ?? 0) !== want[index]) return (have[index] ?? 0) > (want[index] ?? 0);
  }
  return true;
}

describe('Node runtime of the test suite', () => {
  const runtimeImage = stages.at(-1)?.image ?? '';
  const imageMajor = nodeMajorOfImage(runtimeImage);

  it(`is the Node major of the runtime image (${runtimeImage}), running ${process.version}`, () => {
    console.info(`[infrastructure] tests run on Node ${process.version}; the image runs Node ${imageMajor}`);
    expect(major(process.version)).toBe(imageMajor);
  });

  it('is also the Node the build stage compiles with', () => {
    expect(nodeMajorOfImage(stages[0]?.image ?? '')).toBe(imageMajor);
  });

  it(`satisfies engines.node (${packageJson.engines?.node})`, () => {
    expect(satisfiesMinimum(process.version, packageJson.engines?.node ?? '')).toBe(true);
    expect(
      satisfiesMinimum(`${imageMajor - 1}.99.99`, packageJson.engines?.node ?? ''),
      'engines excludes older majors',
    ).toBe(false);
  });

  it('comes from the exact `node` devDependency, of the same major, never a production dependency', () => {
    const pinned = packageJson.devDependencies?.node ?? '';
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major(pinned)).toBe(imageMajor);
    expect(packageJson.dependencies ?? {}).not.toHaveProperty('node');
  });

  it('keeps @types/node on the same major', () => {
    expect(major((packageJson.devDependencies?.['@types/node'] ?? '').replace(/^[\^~]/, ''))).toBe(imageMajor);
  });
});
