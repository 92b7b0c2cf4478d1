import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyInfrastructure,
  DEPLOY_ENVIRONMENT,
  INSTALL_SCRIPT,
  infrastructureFiles,
  pinnedBicepVersion,
  requireBicep,
  runBicep,
} from './bicepCli';
import { readProjectFile } from './infraFiles';

/**
 * Every file under infrastructure/ compiled and linted by the real Bicep CLI (installed by
 * infrastructure/tools/install-bicep.sh; without it every test here fails saying so). The linter
 * rules are in infrastructure/bicepconfig.json; a warning counts as a failure.
 */

const bicepFiles = infrastructureFiles('.bicep');
const parameterFiles = infrastructureFiles('.bicepparam');
let copy: ReturnType<typeof copyInfrastructure>;
// The machine is shared: a bicep run takes seconds to start, and longer under load.
const BICEP_TIMEOUT = 180_000;

beforeAll(() => {
  requireBicep();
  copy = copyInfrastructure();
});

afterAll(() => copy?.remove());

describe('the Bicep CLI', () => {
  it(
    `is the version ${INSTALL_SCRIPT} pins`,
    () => {
      const run = runBicep(['--version'], copy.folder);
      expect(run.status).toBe(0);
      expect(run.output).toContain(`Bicep CLI version ${pinnedBicepVersion()} `);
    },
    BICEP_TIMEOUT,
  );
});

describe('infrastructure/ files', () => {
  it('are main.bicep, its modules and a parameter file per environment, with a bicepconfig.json', () => {
    expect(bicepFiles).toContain('main.bicep');
    expect(bicepFiles.filter((file) => file.startsWith('modules/')).length).toBeGreaterThan(0);
    expect(parameterFiles).toEqual(['parameters/dev.bicepparam', 'parameters/prod.bicepparam']);
    expect(existsSync(join(copy.folder, 'bicepconfig.json'))).toBe(true);
  });

  it('has no module that main.bicep does not use', () => {
    const main = readProjectFile('infrastructure/main.bicep');
    for (const module of bicepFiles.filter((file) => file.startsWith('modules/'))) {
      expect(main, `main.bicep uses ${module}`).toContain(`'${module}'`);
    }
  });

  it('has parameter files that all deploy main.bicep', () => {
    for (const file of parameterFiles) {
      expect(readProjectFile(`infrastructure/${file}`), file).toMatch(/^using '\.\.\/main\.bicep'$/m);
    }
  });
});

describe('bicep build', () => {
  it(
    'compiles every .bicep file to an ARM template without a diagnostic',
    () => {
      const run = runBicep(['build', '--pattern', '**/*.bicep', '--outdir', 'compiled'], copy.folder);
      expect(run.output).toBe('');
      expect(run.status).toBe(0);
      for (const file of bicepFiles) {
        const template = JSON.parse(
          readFileSync(join(copy.folder, 'compiled', file.replace(/\.bicep$/, '.json')), 'utf8'),
        ) as { $schema?: string };
        expect(template.$schema, file).toMatch(/deploymentTemplate\.json#$/);
      }
    },
    BICEP_TIMEOUT,
  );

  it(
    'compiles the parameter files (build-params) without a diagnostic, with the Entra settings deploy.sh exports',
    () => {
      const run = runBicep(['build-params', '--pattern', '**/*.bicepparam', '--outdir', 'compiled'], copy.folder);
      expect(run.output).toBe('');
      expect(run.status).toBe(0);
      for (const file of parameterFiles) {
        const built = JSON.parse(
          readFileSync(join(copy.folder, 'compiled', file.replace(/\.bicepparam$/, '.json')), 'utf8'),
        ) as {
          parameters: Record<string, { value: unknown }>;
        };
        expect(built.parameters.authAudience?.value, file).toBe(DEPLOY_ENVIRONMENT.AUTH_AUDIENCE);
        expect(built.parameters.authClientId?.value, file).toBe(DEPLOY_ENVIRONMENT.AUTH_CLIENT_ID);
        expect(built.parameters.imageTag?.value, file).toBe(DEPLOY_ENVIRONMENT.WSYNC_IMAGE_TAG);
      }
    },
    BICEP_TIMEOUT,
  );

  it(
    'refuses the parameter files without AUTH_AUDIENCE and AUTH_CLIENT_ID (main.bicep requires both)',
    () => {
      const run = runBicep(['build-params', '--pattern', '**/*.bicepparam', '--outdir', 'refused'], copy.folder, {
        WSYNC_IMAGE_TAG: DEPLOY_ENVIRONMENT.WSYNC_IMAGE_TAG,
      });
      expect(run.status).not.toBe(0);
      for (const file of parameterFiles) {
        const text = readProjectFile(`infrastructure/${file}`).split('\n');
        for (const setting of ['AUTH_AUDIENCE', 'AUTH_CLIENT_ID']) {
          const line = text.findIndex((candidate) => candidate.includes(`'${setting}'`)) + 1;
          // BCP333: an empty value is shorter than the @minLength(1) of the parameter it fills.
          expect(run.output, `${file} line ${line} (${setting})`).toMatch(
            new RegExp(`${file.replace('.', '\\.')}\\(${line},\\d+\\) : Error BCP333`),
          );
        }
      }
    },
    BICEP_TIMEOUT,
  );
});

describe('bicep lint', () => {
  it(
    'finds nothing in any .bicep or .bicepparam file',
    () => {
      const run = runBicep(['lint', '--pattern', '**/*.bicep*'], copy.folder);
      expect(run.output).toBe('');
      expect(run.status).toBe(0);
    },
    BICEP_TIMEOUT,
  );

  it(
    'really lints with bicepconfig.json: an unused parameter and a hard-coded cloud URL fail',
    () => {
      writeFileSync(
        join(copy.folder, 'modules', 'lint-probe.bicep'),
        "param unused string\n\noutput vault string = 'https://example.vault.azure.net'\n",
      );
      const run = runBicep(['lint', 'modules/lint-probe.bicep'], copy.folder);
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/no-unused-params/);
      expect(run.output).toMatch(/no-hardcoded-env-urls/);
    },
    BICEP_TIMEOUT,
  );
});
