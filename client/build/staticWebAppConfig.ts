/** The parts of staticwebapp.config.json the build changes. */
export interface StaticWebAppConfig {
  readonly globalHeaders?: Record<string, string>;
  readonly [key: string]: unknown;
}

/**
 * The Static Web App's configuration for a build whose API is on another origin (VITE_API_BASE_URL):
 * the same file with that origin added to the Content-Security-Policy's connect-src, so the
 * browser lets the app call it. Unchanged when the API is on the app's own origin.
 */
export function withApiOrigin(config: StaticWebAppConfig, apiBaseUrl: string | undefined): StaticWebAppConfig {
  if (!apiBaseUrl?.trim()) return config;
  return withSources(config, new URL(apiBaseUrl.trim()).origin, ['connect-src']);
}

/**
 * The configuration for a build that knows its sign-in authority (VITE_AUTH_AUTHORITY, e.g. a B2C or
 * External ID tenant, or another OpenID provider): its origin added where MSAL needs it — connect-src
 * (discovery, token requests), frame-src and form-action (the authority's pages). The committed file
 * allows https://login.microsoftonline.com, which stays. Unchanged when no authority is given.
 */
export function withAuthorityOrigin(config: StaticWebAppConfig, authority: string | undefined): StaticWebAppConfig {
  if (!authority?.trim()) return config;
  return withSources(config, new URL(authority.trim()).origin, ['connect-src', 'frame-src', 'form-action']);
}

function withSources(config: StaticWebAppConfig, origin: string, names: readonly string[]): StaticWebAppConfig {
  const policy = config.globalHeaders?.['content-security-policy'];
  if (!policy) throw new Error(`staticwebapp.config.json has no content-security-policy in globalHeaders to add ${origin} to`);
  const directives = policy.split(';').map((directive) => directive.trim()).filter(Boolean);
  for (const name of names) {
    const index = directives.findIndex((directive) => directive.split(/\s+/)[0] === name);
    if (index < 0) directives.push(`${name} 'self' ${origin}`);
    else if (!directives[index]!.split(/\s+/).includes(origin)) directives[index] = `${directives[index]} ${origin}`;
  }
  return { ...config, globalHeaders: { ...config.globalHeaders, 'content-security-policy': directives.join('; ') } };
}
