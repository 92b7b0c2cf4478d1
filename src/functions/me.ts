import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { isAllowed, type Principal } from '../domain/shared/Principal';
import { GLOBAL_SCOPE, parseScope, type Scope } from '../domain/shared/Scope';
import { TYPES } from '../host/identifiers';
import type { FileStore } from '../ports/FileStore';
import type { MetadataRepo } from '../ports/MetadataRepo';
import { defineApiRoute } from './http/apiRoute';
import { scopeName } from './schemas/common';

const meView = z.object({
  subject: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  isEditor: z.boolean(),
  authMode: z.enum(['entra', 'development']),
  scopes: z
    .array(z.object({ scope: scopeName, canWrite: z.boolean(), connected: z.boolean() }))
    .describe(
      'every scope the caller may open (admins: GLOBAL and every known organisation; others: their organisations)',
    ),
});

/**
 * Organisations the service knows of: connected ones and those with a folder in the workspace. An
 * admin may open any organisation; these are the ones worth offering.
 */
async function knownOrganizations(files: FileStore, connected: readonly Scope[]): Promise<Scope[]> {
  const folders = await files.list('orgs');
  const named = folders
    .filter((entry) => entry.kind === 'directory')
    .map((entry) => parseScope(entry.path.split('/').pop()));
  return [...connected, ...named].filter((scope): scope is Scope => scope !== null && scope !== GLOBAL_SCOPE);
}

function openableScopes(principal: Principal, known: readonly Scope[]): Scope[] {
  const candidates = principal.isAdmin
    ? [GLOBAL_SCOPE, ...known]
    : principal.organizations.map(parseScope).filter((scope): scope is Scope => scope !== null);
  const unique = [...new Set(candidates)].filter((scope) => isAllowed(principal, 'read', scope));
  return unique.sort((a, b) => (a === GLOBAL_SCOPE ? -1 : b === GLOBAL_SCOPE ? 1 : a.localeCompare(b)));
}

/** Who the caller is and which scopes they may open, so a client never offers one that would answer 403. */
export const meFunction = defineApiRoute({
  name: 'me',
  route: 'me',
  methods: ['GET'],
  need: 'read',
  scoped: false,
  doc: {
    summary: 'The caller: identity, roles and the scopes they may open',
    tags: ['meta'],
    responses: { 200: { description: 'The caller', schema: meView } },
  },
  build: (container) => {
    const metadata = container.get<MetadataRepo>(TYPES.MetadataRepo);
    const files = container.get<FileStore>(TYPES.FileStore);
    const authMode = container.get(TYPES.Authenticator).mode;
    return async (_request, context): Promise<HttpResponseInit> => {
      const { principal } = context;
      const connections = await metadata.listConnections();
      const connected = new Set<Scope>(connections.map((connection) => connection.scope));
      const known = principal.isAdmin ? await knownOrganizations(files, [...connected]) : [];
      const scopes = openableScopes(principal, known).map((scope) => ({
        scope,
        canWrite: isAllowed(principal, 'write', scope),
        connected: connected.has(scope),
      }));
      return {
        status: 200,
        headers: { 'cache-control': 'no-store' },
        jsonBody: {
          subject: principal.subject,
          name: principal.name,
          isAdmin: principal.isAdmin,
          isEditor: principal.isEditor,
          authMode,
          scopes,
        } satisfies z.infer<typeof meView>,
      };
    };
  },
});
