import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Connection, isValidRepository } from '../domain/connections/Connection';
import { parseScope } from '../domain/shared/Scope';
import { normalizeRelativePath } from '../domain/workspace/PathPolicy';
import { type Config, ConfigError } from './config';

const seedSchema = z.object({
  scope: z.string().transform((value, context) => {
    const scope = parseScope(value);
    if (scope === null) {
      context.addIssue({ code: 'custom', message: 'GLOBAL or an organisation id (letters, digits, - and _)' });
      return z.NEVER;
    }
    return scope;
  }),
  repository: z.string().refine(isValidRepository, 'owner/name'),
  branch: z
    .string()
    .min(1)
    .max(255)
    .refine((value) => !/[\s~^:?*[\\]|\.\.|^\/|\/$/.test(value), 'a valid git branch name'),
  subPath: z.string().default(''),
  tokenRef: z.string().min(1),
  webhookSecretRef: z.string().min(1),
  enabled: z.boolean().default(true),
});

export type ConnectionSeed = Pick<
  Connection,
  'scope' | 'repository' | 'branch' | 'subPath' | 'tokenRef' | 'webhookSecretRef' | 'enabled'
>;

/**
 * Connections declared in configuration (CONNECTIONS_FILE or CONNECTIONS, a JSON array), validated
 * like the rest of the configuration. Until the connections API exists this is how scopes connect.
 */
export async function loadConnectionSeeds(config: Config): Promise<ConnectionSeed[]> {
  const sources: Array<{ name: string; text: string }> = [];
  if (config.CONNECTIONS_FILE) {
    try {
      sources.push({ name: 'CONNECTIONS_FILE', text: await readFile(config.CONNECTIONS_FILE, 'utf8') });
    } catch (error) {
      throw new ConfigError([
        `CONNECTIONS_FILE: cannot read ${config.CONNECTIONS_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      ]);
    }
  }
  if (config.CONNECTIONS) sources.push({ name: 'CONNECTIONS', text: config.CONNECTIONS });

  const seeds = new Map<string, ConnectionSeed>();
  for (const { name, text } of sources) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigError([`${name}: not valid JSON`]);
    }
    const parsed = z.array(seedSchema).safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(parsed.error.issues.map((issue) => `${name}[${issue.path.join('.')}]: ${issue.message}`));
    }
    parsed.data.forEach((seed, index) => {
      let subPath = '';
      if (seed.subPath.replace(/^\/+|\/+$/g, '') !== '') {
        const verdict = normalizeRelativePath(seed.subPath);
        if (!verdict.ok) throw new ConfigError([`${name}[${index}].subPath: ${verdict.message}`]);
        subPath = verdict.path;
      }
      const { scope } = seed;
      if (seeds.has(scope)) throw new ConfigError([`${name}[${index}].scope: ${scope} is declared twice`]);
      seeds.set(scope, { ...seed, scope, subPath });
    });
  }
  return [...seeds.values()];
}
