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
  const origin = new URL(apiBaseUrl.trim()).origin;
  const policy = config.globalHeaders?.['content-security-policy'];
  if (!policy) throw new Error('staticwebapp.config.json has no content-security-policy in globalHeaders to add the API origin to');
  const directives = policy.split(';').map((directive) => directive.trim()).filter(Boolean);
  const index = directives.findIndex((directive) => directive.split(/\s+/)[0] === 'connect-src');
  if (index < 0) directives.push(`connect-src 'self' ${origin}`);
  else if (!directives[index]!.split(/\s+/).includes(origin)) directives[index] = `${directives[index]} ${origin}`;
  return { ...config, globalHeaders: { ...config.globalHeaders, 'content-security-policy': directives.join('; ') } };
}
