/**
 * Where the API is, without a trailing slash: '' (this page's own origin) unless the build was given
 * VITE_API_BASE_URL, as in Azure, where the app is served by a Static Web App and the API by the
 * Function App on another origin. A value ending in /api is taken to mean the same service.
 */
export function apiBaseOf(configured: string | undefined): string {
  const value = (configured ?? '').trim();
  if (value === '') return '';
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`VITE_API_BASE_URL must be an http(s) URL, got ${value}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`;
}

export const API_BASE_URL = apiBaseOf(import.meta.env.VITE_API_BASE_URL);
