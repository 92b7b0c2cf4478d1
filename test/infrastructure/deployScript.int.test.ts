import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, readProjectFile } from './infraFiles';

/**
 * infrastructure/deploy.sh cannot reach Azure here: its dry run is what is tested, with every tool
 * it could call (az, npm, npx, docker) replaced on PATH by a tripwire that records any call.
 */

const DEPLOY = 'infrastructure/deploy.sh';
const INSTALL_BICEP = 'infrastructure/tools/install-bicep.sh';
const ENTRA = { AUTH_AUDIENCE: 'api://workspace-sync', AUTH_CLIENT_ID: '5f0b7c3e-2d9a-4e61-9c1f-0a8b7c6d5e4f' };

let tripwires: string;
const calls = () =>
  existsSync(join(tripwires, 'calls.log')) ? readFileSync(join(tripwires, 'calls.log'), 'utf8') : '';

beforeAll(() => {
  tripwires = mkdtempSync(join(tmpdir(), 'wsync-deploy-'));
  for (const tool of ['az', 'npm', 'npx', 'docker', 'func', 'swa']) {
    const file = join(tripwires, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> "${join(tripwires, 'calls.log')}"\nexit 97\n`);
    chmodSync(file, 0o755);
  }
});

afterAll(() => rmSync(tripwires, { recursive: true, force: true }));

function deploy(args: readonly string[], env: Record<string, string> = ENTRA) {
  const run = spawnSync('bash', [DEPLOY, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: `${tripwires}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? tmpdir(), ...env },
  });
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    commands: run.stdout
      .split('\n')
      .filter((line) => line.startsWith('+ '))
      .map((line) => line.slice(2)),
  };
}

function shellcheckAvailable(): boolean {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  return !(probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT');
}

describe('the scripts are valid shell', () => {
  it.each([DEPLOY, INSTALL_BICEP])('bash -n %s', (script) => {
    const run = spawnSync('bash', ['-n', script], { cwd: projectRoot, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  const available = shellcheckAvailable();
  if (!available)
    console.warn(
      '[infrastructure] shellcheck is not installed (Debian package shellcheck): skipping the shellcheck of the deploy scripts',
    );
  it.skipIf(!available).each([DEPLOY, INSTALL_BICEP])('shellcheck %s', (script) => {
    const run = spawnSync('shellcheck', [script], { cwd: projectRoot, encoding: 'utf8' });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it.each([DEPLOY, INSTALL_BICEP])('%s is executable', (script) => {
    const run = spawnSync('test', ['-x', script], { cwd: projectRoot });
    expect(run.status).toBe(0);
  });
});

describe('deploy.sh --help and refusals', () => {
  it('--help documents every option and the Entra settings, and runs nothing', () => {
    const run = deploy(['--help']);
    expect(run.status).toBe(0);
    for (const option of [
      '--env',
      '--resource-group',
      '--location',
      '--subscription',
      '--image-tag',
      '--skip-spa',
      '--dry-run',
      '--help',
    ]) {
      expect(run.stdout).toContain(option);
    }
    for (const setting of ['AUTH_AUDIENCE', 'AUTH_CLIENT_ID', 'AUTH_TENANT_ID', 'AUTH_API_SCOPE'])
      expect(run.stdout).toContain(setting);
    expect(calls()).toBe('');
  });

  it('refuses an unknown option', () => {
    const run = deploy(['--dry-run', '--colour']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown option: --colour');
  });

  it('refuses an environment without a parameter file, naming the known ones', () => {
    const run = deploy(['--dry-run', '--env', 'staging', '--image-tag', 't1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('infrastructure/parameters/staging.bicepparam');
    expect(run.stderr).toMatch(/known: dev prod/);
  });

  it.each(['AUTH_AUDIENCE', 'AUTH_CLIENT_ID'])('refuses to start without %s', (setting) => {
    const env: Record<string, string> = { ...ENTRA };
    delete env[setting];
    const run = deploy(['--dry-run', '--image-tag', 't1'], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${setting} is not set`);
    expect(run.commands).toEqual([]);
  });

  it('refuses an image tag Docker would not accept', () => {
    const run = deploy(['--dry-run', '--image-tag', 'not a tag']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not a valid image tag');
  });
});

describe('deploy.sh --dry-run', () => {
  it('prints the whole deployment in order and runs none of it', () => {
    const run = deploy(['--dry-run', '--env', 'prod', '--resource-group', 'rg-wsync', '--image-tag', 'abc123']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(calls()).toBe('');
    const steps = [
      /^az account show /,
      /^az group create --name rg-wsync --location westeurope /,
      /^az deployment group create --resource-group rg-wsync --name workspace-sync-abc123 --parameters infrastructure\/parameters\/prod\.bicepparam /,
      /^az deployment group show --resource-group rg-wsync --name workspace-sync-abc123 --query /,
      /^az acr build --registry '<registryName>' --image workspace-sync:abc123 --file Dockerfile \.$/,
      /^az functionapp restart --name '<functionAppName>' --resource-group rg-wsync$/,
      /^npm ci /,
      /^env 'VITE_API_BASE_URL=<apiBaseUrl>' npm run build --workspace client$/,
      /^az staticwebapp secrets list --name '<staticWebAppName>' --resource-group rg-wsync /,
      /^env 'SWA_CLI_DEPLOYMENT_TOKEN=<hidden>' npx --yes @azure\/static-web-apps-cli@\d+\.\d+\.\d+ deploy client\/dist /,
    ];
    expect(run.commands).toHaveLength(steps.length);
    for (const [index, step] of steps.entries()) expect(run.commands[index]).toMatch(step);
    expect(run.stdout).toMatch(/dry run: nothing was deployed/);
  });

  it('builds the image from the Dockerfile and deploys a parameter file that exist', () => {
    const run = deploy(['--dry-run', '--env', 'dev', '--image-tag', 'abc123']);
    expect(run.status).toBe(0);
    const build = run.commands.find((command) => command.startsWith('az acr build'))!;
    expect(existsSync(resolve(projectRoot, build.match(/--file (\S+)/)![1]!))).toBe(true);
    const template = run.commands.find((command) => command.startsWith('az deployment group create'))!;
    expect(existsSync(resolve(projectRoot, template.match(/--parameters (\S+)/)![1]!))).toBe(true);
  });

  it('reads back only outputs main.bicep declares', () => {
    const declared = [...readProjectFile('infrastructure/main.bicep').matchAll(/^output (\w+) /gm)].map(
      (match) => match[1],
    );
    const run = deploy(['--dry-run', '--image-tag', 'abc123']);
    const show = run.commands.find((command) => command.startsWith('az deployment group show'))!;
    const read = [...show.matchAll(/properties\.outputs\.(\w+)\.value/g)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(0);
    expect(declared).toEqual(expect.arrayContaining(read));
  });

  it('exports every environment variable the parameter files read', () => {
    const script = readProjectFile(DEPLOY);
    const exported = new Set(
      [...script.matchAll(/^export (.+)$/gm)].flatMap((match) =>
        match[1]!.split(/\s+/).map((word) => word.split('=')[0]),
      ),
    );
    for (const file of ['dev', 'prod']) {
      const read = [
        ...readProjectFile(`infrastructure/parameters/${file}.bicepparam`).matchAll(
          /readEnvironmentVariable\('(\w+)'/g,
        ),
      ].map((match) => match[1]);
      expect(read.length).toBeGreaterThan(0);
      for (const name of read) expect(exported.has(name!), `${file}.bicepparam reads ${name}`).toBe(true);
    }
  });

  it('names the image after the commit when no tag is given', () => {
    const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: projectRoot,
      encoding: 'utf8',
    }).stdout.trim();
    const run = deploy(['--dry-run']);
    expect(run.status).toBe(0);
    expect(run.commands.find((command) => command.startsWith('az acr build'))).toContain(
      `--image workspace-sync:${head}`,
    );
    expect(calls()).toBe('');
  });

  it('selects the subscription first when given one, and leaves the SPA out with --skip-spa', () => {
    const run = deploy([
      '--dry-run',
      '--subscription',
      '00000000-0000-0000-0000-000000000001',
      '--skip-spa',
      '--image-tag',
      'abc123',
    ]);
    expect(run.status).toBe(0);
    expect(run.commands[0]).toBe('az account set --subscription 00000000-0000-0000-0000-000000000001');
    expect(run.commands.some((command) => /\bnpm\b|\bnpx\b|staticwebapp/.test(command))).toBe(false);
    expect(calls()).toBe('');
  });
});
