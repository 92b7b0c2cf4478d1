import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/** Readers for the deployment files at the project root, shared by the infrastructure tests. */

export const projectRoot = resolve(__dirname, '../..');

export function readProjectFile(relativePath: string): string {
  return readFileSync(resolve(projectRoot, relativePath), 'utf8');
}

export function readProjectJson(relativePath: string): unknown {
  return JSON.parse(readProjectFile(relativePath)) as unknown;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly ports?: readonly (string | number | Readonly<Record<string, unknown>>)[];
  readonly volumes?: readonly (string | Readonly<Record<string, unknown>>)[];
  readonly depends_on?: readonly string[] | Readonly<Record<string, unknown>>;
  readonly secrets?: readonly (string | { readonly source: string })[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
  readonly secrets?: Readonly<Record<string, { readonly file?: string }>>;
  readonly [topLevelKey: string]: unknown;
}

export const COMPOSE_FILE = 'docker-compose.yml';

function parseCompose(text: string): ComposeFile {
  const parsed: unknown = parse(text);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as { services?: unknown }).services !== 'object'
  ) {
    throw new Error('a compose file is a mapping with a `services` mapping');
  }
  return parsed as ComposeFile;
}

export function loadCompose(): ComposeFile {
  return parseCompose(readProjectFile(COMPOSE_FILE));
}

/** A service's environment as a map, whichever of the two compose forms (map or `NAME=value` list) it uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const { environment } = service;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      (environment as readonly string[]).map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]),
  );
}

/** `${NAME:-default}` as compose would expand it with NAME unset, so values can be checked as a user gets them. */
export function withComposeDefaults(value: string): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_whole, _name: string, fallback?: string) => fallback ?? '',
  );
}

export function dependenciesOf(service: ComposeService): string[] {
  const { depends_on: dependsOn } = service;
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? [...(dependsOn as readonly string[])] : Object.keys(dependsOn);
}

/** Short volume syntax `source:target[:mode]` split into its parts. */
export function volumeMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return { source: String(volume.source ?? ''), target: String(volume.target ?? '') };
    const [source = '', target = ''] = volume.split(':');
    return { source, target };
  });
}

/** True when Debian's `docker-compose` (1.29) can be run; the compose validation needs nothing else. */
export function dockerComposeAvailable(): boolean {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  return !(probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** Runs `docker-compose -f <file> config -q` (offline: no Docker engine needed); `-` reads the file from `input`. */
export function dockerComposeConfig(file: string, input?: string): { status: number | null; output: string } {
  const run = spawnSync('docker-compose', ['-f', file, 'config', '-q'], {
    cwd: projectRoot,
    encoding: 'utf8',
    input,
    timeout: 60_000,
    // Defaults in the compose file must be enough: do not let the caller's shell fill them in.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** True when an image reference names its registry host (`mcr.microsoft.com/…`, `docker.io/…`) and a tag or digest. */
export function isPinnedImage(image: string): boolean {
  const first = image.split('/')[0] ?? '';
  const namesRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const last = image.split('/').at(-1) ?? '';
  return namesRegistry && (last.includes(':') || image.includes('@sha256:'));
}
