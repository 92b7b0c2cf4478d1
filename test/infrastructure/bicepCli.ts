import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { projectRoot, readProjectFile } from './infraFiles';

/**
 * The real Bicep CLI, as infrastructure/tools/install-bicep.sh installs it, run on a copy of
 * infrastructure/ (bicep writes its outputs, snapshots included, next to the inputs).
 */

export const INSTALL_SCRIPT = 'infrastructure/tools/install-bicep.sh';
const INFRASTRUCTURE = 'infrastructure';

/** The version the install script pins (its BICEP_VERSION default). */
export function pinnedBicepVersion(): string {
  const match = /BICEP_VERSION:-([0-9.]+)\}/.exec(readProjectFile(INSTALL_SCRIPT));
  if (!match?.[1]) throw new Error(`${INSTALL_SCRIPT} does not pin a default BICEP_VERSION`);
  return match[1];
}

/** Where the install script puts the executable (BICEP_PATH overrides it). */
function bicepPath(): string {
  return process.env.BICEP_PATH ?? resolve(projectRoot, '.tools/bicep/bicep');
}

/** The executable, or an error telling how to install it: these tests never pass without it. */
export function requireBicep(): string {
  const path = bicepPath();
  if (!existsSync(path)) {
    throw new Error(
      `the Bicep CLI is not installed (${relative(projectRoot, path)} is missing): run ${INSTALL_SCRIPT} (CI runs it before the tests)`,
    );
  }
  return path;
}

export interface BicepRun {
  readonly status: number | null;
  /** stdout and stderr together: bicep prints diagnostics on stderr. */
  readonly output: string;
  readonly stdout: string;
}

/**
 * Settings the parameter files read from the environment, as deploy.sh exports them. Anything else
 * from the caller's environment is left out so that a developer's own AUTH_* cannot leak in.
 */
export const DEPLOY_ENVIRONMENT = {
  WSYNC_IMAGE_TAG: 'test-0123456789ab',
  AUTH_AUDIENCE: 'api://workspace-sync-test',
  AUTH_CLIENT_ID: '5f0b7c3e-2d9a-4e61-9c1f-0a8b7c6d5e4f',
} as const;

export function runBicep(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = DEPLOY_ENVIRONMENT,
): BicepRun {
  const run = spawnSync(requireBicep(), args, {
    cwd,
    encoding: 'utf8',
    timeout: 180_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...env },
  });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim(), stdout: run.stdout };
}

/** A fresh copy of infrastructure/ in a temporary folder; returns the copy's infrastructure folder. */
export function copyInfrastructure(): { folder: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'wsync-bicep-'));
  const folder = join(root, INFRASTRUCTURE);
  cpSync(resolve(projectRoot, INFRASTRUCTURE), folder, { recursive: true });
  return { folder, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Files under infrastructure/ ending with the extension, relative to it (`main.bicep`, `modules/x.bicep`). */
export function infrastructureFiles(
  extension: '.bicep' | '.bicepparam',
  folder = resolve(projectRoot, INFRASTRUCTURE),
): string[] {
  return (readdirSync(folder, { recursive: true }) as string[]).filter((file) => file.endsWith(extension)).sort();
}

/** The deployment scope the snapshots are computed for (no subscription is contacted). */
export const SNAPSHOT_SCOPE = {
  subscriptionId: '00000000-0000-4000-8000-000000000001',
  tenantId: '00000000-0000-4000-8000-0000000000aa',
  resourceGroup: 'rg-workspace-sync-test',
  location: 'westeurope',
} as const;

export interface PredictedResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly location?: string;
  readonly kind?: string;
  readonly sku?: Record<string, unknown>;
  readonly identity?: Record<string, unknown>;
  readonly properties?: Record<string, unknown>;
}

export interface DeploymentSnapshot {
  readonly predictedResources: readonly PredictedResource[];
  readonly diagnostics: readonly unknown[];
  readonly outputs: Record<string, unknown>;
}

/**
 * `bicep snapshot`: Bicep's own template engine expands the compiled ARM JSON with a parameter
 * file, modules included, into the resources ARM would be asked to create. Values known only at
 * deployment time (reference(), listKeys(), environment()) stay as ARM expressions.
 */
export function snapshot(
  folder: string,
  parameterFile: string,
  env: Readonly<Record<string, string>> = DEPLOY_ENVIRONMENT,
): DeploymentSnapshot {
  const run = runBicep(
    [
      'snapshot',
      parameterFile,
      '--mode',
      'overwrite',
      '--subscription-id',
      SNAPSHOT_SCOPE.subscriptionId,
      '--tenant-id',
      SNAPSHOT_SCOPE.tenantId,
      '--resource-group',
      SNAPSHOT_SCOPE.resourceGroup,
      '--location',
      SNAPSHOT_SCOPE.location,
    ],
    folder,
    env,
  );
  if (run.status !== 0) throw new Error(`bicep snapshot ${parameterFile} failed (${run.status}):\n${run.output}`);
  const file = join(folder, parameterFile.replace(/\.bicepparam$/, '.snapshot.json'));
  return JSON.parse(readFileSync(file, 'utf8')) as DeploymentSnapshot;
}
