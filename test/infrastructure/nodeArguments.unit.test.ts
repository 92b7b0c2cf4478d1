import { describe, expect, it } from 'vitest';
import { startScriptNodeArgs } from '../support/serviceProcess';
import { envOf, readStages } from './dockerfileInstructions';
import { environmentOf, loadCompose, readProjectFile } from './infraFiles';

/**
 * The V8 flags the service's Node process runs with, the same wherever it runs: the image (the
 * Functions host starts the Node worker with `languageWorkers__node__arguments`), the Function App's
 * app settings (they override the image's environment in Azure), compose (it runs the image) and
 * `npm start`. The image is the source of truth: it is what production runs.
 */

const WORKER_ARGUMENTS = 'languageWorkers__node__arguments';
const SEMI_SPACE_FLAG = /^--max-semi-space-size=(\d+)$/;

const imageArguments = envOf(readStages(readProjectFile('Dockerfile')).at(-1)!)[WORKER_ARGUMENTS] ?? '';

const functionAppBicep = readProjectFile('infrastructure/modules/functionApp.bicep');

/** The settings of functionApp.bicep's `hostSettings` object: `name: 'value'` lines, string literals only. */
function bicepHostSettings(): Record<string, string> {
  const block = /^var hostSettings = \{\n([\s\S]*?)^\}/m.exec(functionAppBicep)?.[1] ?? '';
  return Object.fromEntries(
    [...block.matchAll(/^\s*'?([A-Za-z_][\w]*)'?\s*:\s*'([^']*)'\s*$/gm)].map(([, name = '', value = '']) => [
      name,
      value,
    ]),
  );
}

/** functionApp.bicep's `workerNodeArguments`: the options its app setting starts from. */
const bicepWorkerArguments = /^var workerNodeArguments = '([^']*)'$/m.exec(functionAppBicep)?.[1];

describe('Node arguments of the service process', () => {
  it('are set in the image for the Functions Node worker: a smaller young generation (--max-semi-space-size, MB)', () => {
    const flags = imageArguments.split(/\s+/).filter(Boolean);
    const semiSpace = flags.map((flag) => SEMI_SPACE_FLAG.exec(flag)).find(Boolean);
    expect(semiSpace, `${WORKER_ARGUMENTS} = '${imageArguments}'`).toBeTruthy();
    expect(Number(semiSpace?.[1])).toBeGreaterThan(0);
  });

  it('are the same in the Function App settings, which override the image in Azure', () => {
    expect(bicepWorkerArguments).toBe(imageArguments);
    // The setting is those options, or those and --optimize-for-size when optimizeForMemory is set
    // (the deployment test reads the value bicep gives it for both).
    expect(functionAppBicep).toMatch(
      /^\s*languageWorkers__node__arguments: optimizeForMemory\s*\?\s*'\$\{workerNodeArguments\} --optimize-for-size'\s*:\s*workerNodeArguments$/m,
    );
  });

  it('are not overridden with other ones by compose, which runs the image', () => {
    const composed = environmentOf(loadCompose().services.functions ?? {})[WORKER_ARGUMENTS];
    expect(composed ?? imageArguments).toBe(imageArguments);
  });

  it('are the ones `npm start` gives the local host', () => {
    expect(startScriptNodeArgs().join(' ')).toBe(imageArguments);
  });

  it('are not also set through NODE_OPTIONS, which would apply a second, possibly different value', () => {
    expect(envOf(readStages(readProjectFile('Dockerfile')).at(-1)!).NODE_OPTIONS).toBeUndefined();
    expect(environmentOf(loadCompose().services.functions ?? {}).NODE_OPTIONS).toBeUndefined();
    expect(bicepHostSettings().NODE_OPTIONS).toBeUndefined();
  });
});
