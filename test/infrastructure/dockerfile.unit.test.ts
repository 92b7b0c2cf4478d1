import { existsSync } from 'node:fs';
import { basename, posix, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { copiesOf, envOf, readStages, type Stage } from './dockerfileInstructions';
import { environmentOf, isPinnedImage, loadCompose, readProjectFile, readProjectJson } from './infraFiles';

/** The Dockerfile and .dockerignore checked offline (no Docker engine here: the image is never built in tests). */

const FUNCTIONS_IMAGE = 'mcr.microsoft.com/azure-functions/node:4-node22';
const SCRIPT_ROOT = '/home/site/wwwroot';

const dockerfile = readProjectFile('Dockerfile');
const stages = readStages(dockerfile);
const finalStage = stages.at(-1) as Stage;
const buildStages = stages.slice(0, -1);
const stageNames = new Set(buildStages.flatMap((stage) => (stage.name ? [stage.name] : [])));

function runCommands(stage: Stage): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'RUN')
    .flatMap(({ args }) => args.split(/\s*&&\s*/));
}

/** Where a COPY puts a source, relative to the script root (the final stage's WORKDIR). */
function copiedPath(destination: string, source: string): string {
  const relative = destination.startsWith(`${SCRIPT_ROOT}/`) ? destination.slice(SCRIPT_ROOT.length + 1) : destination;
  const path = relative.replace(/^\.\/?/, '');
  const intoFolder = relative.endsWith('/') || relative === '.' || relative === '';
  return intoFolder ? `${path}${basename(source)}` : path;
}

describe('Dockerfile', () => {
  it('parses and validates without any diagnostic (dockerfile-utils)', () => {
    const problems = validate(dockerfile).map(
      (diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('is checked by a validator that does report problems', () => {
    expect(validate('FROM\nCOPY --frm=build a b\n').length).toBeGreaterThanOrEqual(2);
  });

  it(`is multi-stage, ending on ${FUNCTIONS_IMAGE}`, () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(finalStage.image).toBe(FUNCTIONS_IMAGE);
  });

  it('builds on Node 22 with images that name their registry and tag', () => {
    expect(buildStages[0]?.image).toMatch(/\/node:22-bookworm-slim$/);
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue; // FROM an earlier stage
      expect(isPinnedImage(stage.image), `${stage.image} names its registry and tag`).toBe(true);
    }
  });

  it('installs from the lock file, builds, then drops dev dependencies, in that order', () => {
    const commands = buildStages.flatMap(runCommands);
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((command) =>
      commands.findIndex((run) => run.startsWith(command)),
    );
    expect(
      order.every((index) => index >= 0),
      `commands seen: ${JSON.stringify(commands)}`,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('installs and prunes without the SPA workspace, which stays out of the build context', () => {
    const { workspaces = [] } = readProjectJson('package.json') as { workspaces?: string[] };
    expect(workspaces.length, 'package.json declares workspaces').toBeGreaterThan(0);
    const npmCommands = buildStages.flatMap(runCommands).filter((run) => /^npm (ci|prune)\b/.test(run));
    expect(npmCommands.length).toBe(2);
    for (const command of npmCommands) expect(command, command).toMatch(/\s--workspaces=false(\s|$)/);
  });

  it('sets the Functions host settings and the workspace mount point in the final stage', () => {
    const env = envOf(finalStage);
    expect(env).toMatchObject({
      AzureWebJobsScriptRoot: SCRIPT_ROOT,
      AzureFunctionsJobHost__Logging__Console__IsEnabled: 'true',
      WORKSPACE_ROOT: '/workspace',
    });
    expect(finalStage.instructions.find((instruction) => instruction.keyword === 'WORKDIR')?.args).toBe(SCRIPT_ROOT);
  });

  it('copies only dist/src, host.json, package.json and production node_modules from the build stage', () => {
    const copies = copiesOf(finalStage);
    expect(
      copies.every((copy) => copy.from !== undefined && stageNames.has(copy.from)),
      'every COPY comes from a build stage',
    ).toBe(true);
    const copied = copies.flatMap((copy) => copy.sources.map((source) => copiedPath(copy.destination, source))).sort();
    expect(copied).toEqual(['dist/src', 'host.json', 'node_modules', 'package.json']);
    // The build stage pruned dev dependencies before this copy (checked above): node_modules is production-only.
  });

  it('ships what package.json main tells the Functions host to load, where tsc writes it', () => {
    const main = (readProjectJson('package.json') as { main?: string }).main ?? '';
    const { outDir = '', rootDir = '' } =
      (readProjectJson('tsconfig.json') as { compilerOptions?: { outDir?: string; rootDir?: string } })
        .compilerOptions ?? {};
    // The one entry that registers every function: src/host/functionsApp.ts compiles to
    // <outDir>/<path from rootDir>/host/functionsApp.js.
    expect(existsSync(resolve(__dirname, '../../src/host/functionsApp.ts'))).toBe(true);
    expect(main).toBe(posix.join(outDir, posix.relative(rootDir, 'src/host/functionsApp.js')));
    const copied = copiesOf(finalStage).flatMap((copy) =>
      copy.sources.map((source) => copiedPath(copy.destination, source)),
    );
    expect(
      copied.some((path) => main.startsWith(`${path}/`)),
      `${main} lies in a copied folder`,
    ).toBe(true);
  });

  it('uses the same WORKSPACE_ROOT as the compose file', () => {
    expect(environmentOf(loadCompose().services.functions ?? {}).WORKSPACE_ROOT).toBe(envOf(finalStage).WORKSPACE_ROOT);
  });
});

describe('.dockerignore', () => {
  const entries = readProjectFile('.dockerignore')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^\//, '').replace(/\/$/, ''));

  it('keeps local state, build output and dependencies out of the build context', () => {
    expect(entries).toEqual(expect.arrayContaining(['node_modules', '.data', 'dist', 'test-results', 'client']));
  });

  it('keeps every file the build stage copies from the context', () => {
    const contextSources = buildStages.flatMap((stage) =>
      copiesOf(stage)
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    );
    expect(contextSources).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'src']),
    );
    expect(entries.filter((entry) => entry === '*' || entry === '**' || entry.startsWith('!'))).toEqual([]);
    for (const source of contextSources) {
      const ignoredBy = entries.filter((entry) => source === entry || source.startsWith(`${entry}/`));
      expect(ignoredBy, `${source} is in the build context`).toEqual([]);
    }
  });
});
