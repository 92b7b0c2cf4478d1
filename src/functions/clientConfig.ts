import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { Config } from '../host/identifiers';
import { TYPES } from '../host/identifiers';
import { defineOpenRoute } from './http/apiRoute';

const limits = {
  maxFileBytes: z.number().int().min(1).describe('largest file the editor API accepts (MAX_FILE_BYTES)'),
};

const clientConfigView = z.union([
  z.object({ authMode: z.literal('development'), message: z.string(), ...limits }),
  z.object({
    authMode: z.literal('entra'),
    ...limits,
    clientId: z
      .string()
      .nullable()
      .describe("the SPA's application (client) id; null = AUTH_CLIENT_ID is not set and nobody can sign in"),
    authority: z.string(),
    knownAuthorities: z.array(z.string()).describe('host names MSAL may trust as the authority'),
    protocolMode: z.enum(['AAD', 'OIDC']).describe('AAD for Entra ID, OIDC for any other OpenID provider'),
    scopes: z.array(z.string()).describe('scopes to request for the API'),
  }),
]);

export type ClientConfigView = z.infer<typeof clientConfigView>;

/** What a browser needs to sign in, derived from the same settings the API validates tokens with. */
export function clientConfigOf(config: Config): ClientConfigView {
  if (config.AUTH_MODE === 'development') {
    return {
      authMode: 'development',
      maxFileBytes: config.MAX_FILE_BYTES,
      message: 'AUTH_MODE=development: every request acts as the local developer (an MSP admin), without signing in',
    };
  }
  const authority = (config.AUTH_AUTHORITY ?? defaultAuthority(config)).replace(/\/+$/, '');
  const audiences = config.auth?.audiences ?? [];
  const apiUri =
    audiences.find((audience) => audience.startsWith('api://')) ?? (audiences[0] ? `api://${audiences[0]}` : null);
  const host = new URL(authority).host;
  return {
    authMode: 'entra',
    maxFileBytes: config.MAX_FILE_BYTES,
    clientId: config.AUTH_CLIENT_ID ?? null,
    authority,
    knownAuthorities: [host],
    protocolMode:
      /(^|\.)(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.partner\.microsoftonline\.cn|ciamlogin\.com)$/.test(
        host,
      )
        ? 'AAD'
        : 'OIDC',
    scopes: config.AUTH_API_SCOPE
      ? config.AUTH_API_SCOPE.split(',')
          .map((scope) => scope.trim())
          .filter(Boolean)
      : apiUri
        ? [`${apiUri}/.default`]
        : [],
  };
}

function defaultAuthority(config: Config): string {
  if (config.AUTH_TENANT_ID) return `https://login.microsoftonline.com/${config.AUTH_TENANT_ID}`;
  // A non-Entra issuer (another cloud, a test provider) is its own authority.
  return (config.AUTH_ISSUER ?? 'https://login.microsoftonline.com/common').replace(/\/v2\.0\/?$/, '');
}

/** How the SPA signs in: open, since the browser asks before it has a token. Holds no secret. */
export const clientConfigFunction = defineOpenRoute({
  name: 'clientConfig',
  route: 'client-config',
  methods: ['GET'],
  doc: {
    summary: 'How the web app signs in: auth mode, authority, client id and API scopes (no secret)',
    tags: ['meta'],
    responses: { 200: { description: 'Sign-in settings', schema: clientConfigView } },
  },
  build: (container) => {
    const body = clientConfigOf(container.get<Config>(TYPES.Config));
    return async (): Promise<HttpResponseInit> => ({
      status: 200,
      headers: { 'cache-control': 'no-cache' },
      jsonBody: body,
    });
  },
});
