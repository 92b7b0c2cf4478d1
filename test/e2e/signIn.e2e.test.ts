import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../support/apiHarness';
import { CHROMIUM, chromiumAvailable, launchBrowser, type TestBrowser } from '../support/browser';
import { type OidcProvider, startOidcProvider } from '../support/oidcProvider';
import { ensureWebAppBuilt } from './webApp';

interface ApiRequest {
  readonly path: string;
  readonly authorization: string | undefined;
}

/**
 * Signing in for real: the web app in Chromium, @azure/msal-browser in OIDC protocol mode against an
 * OpenID provider on loopback (login form, authorization code + PKCE, tokens signed by the test
 * issuer), and the local host with AUTH_MODE=entra validating those tokens. No development bypass.
 */
describe.skipIf(!chromiumAvailable())(`sign-in through MSAL in ${CHROMIUM}`, () => {
  let provider: OidcProvider;
  let api: ApiHarness;
  let browser: TestBrowser;
  let page: Page;
  const apiRequests: ApiRequest[] = [];
  const signInButton = () => page.getByRole('button', { name: 'Sign in as Olga Editor' });

  beforeAll(async () => {
    ensureWebAppBuilt();
    // Access tokens shorter-lived than MSAL's five-minute renewal margin: every silent call refreshes.
    provider = await startOidcProvider({ accessTokenLifetimeSeconds: 120 });
    provider.setUser({
      name: 'Olga Editor',
      username: 'olga@contoso.test',
      roles: ['Workspace.Editor'],
      organizations: ['contoso'],
    });
    api = await ApiHarness.start(
      {
        AUTH_MODE: 'entra',
        AUTH_ISSUER: provider.issuer,
        AUTH_JWKS_URL: provider.tokens.jwksUrl,
        AUTH_AUDIENCE: provider.tokens.audience,
        AUTH_CLIENT_ID: provider.clientId,
      },
      { issuer: provider.tokens },
    );
    provider.registerRedirectUri(`${api.url}/`);
    browser = await launchBrowser({ trustCertificate: provider.certificate });
    page = browser.page;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === api.url && url.pathname.startsWith('/api/'))
        apiRequests.push({ path: url.pathname, authorization: request.headers().authorization });
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await provider?.stop();
  });

  it('publishes the provider as the authority, in OIDC protocol mode', async () => {
    const config = await (await fetch(`${api.url}/api/client-config`)).json();
    expect(config).toMatchObject({
      authMode: 'entra',
      clientId: provider.clientId,
      authority: provider.authority,
      protocolMode: 'OIDC',
      scopes: [`api://${provider.tokens.audience}/.default`],
    });
  });

  it('sends the visitor to the login form, then back signed in with a token the API accepts', async () => {
    await page.goto(`${api.url}/history?scope=contoso`);
    await signInButton().waitFor();
    expect(page.url().startsWith(`${provider.authority}/oauth2/v2.0/authorize?`)).toBe(true);
    const authorize = new URL(page.url()).searchParams;
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('client_id')).toBe(provider.clientId);
    await signInButton().click();

    // Back on the page the visitor asked for, as the provider's user, with the scopes the API grants.
    await page.getByRole('heading', { name: 'Sync history · contoso' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/history');
    await page.getByText('Olga Editor (editor)').waitFor();
    expect(await page.getByLabel('Scope').locator('option').allTextContents()).toEqual(['contoso']);
    expect(provider.events).toEqual(expect.arrayContaining(['discovery', 'authorize-form', 'sign-in', 'code']));
    const authorized = apiRequests.filter((request) => request.path !== '/api/client-config');
    expect(authorized.length).toBeGreaterThan(0);
    for (const request of authorized)
      expect(request.authorization, request.path).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(apiRequests.find((request) => request.path === '/api/client-config')?.authorization).toBeUndefined();
    await browser.screenshot('signed-in-history');
    expect(await browser.accessibilityViolations()).toEqual([]);
  });

  it('writes with the signed-in identity: a new file lands in the organisation folder', async () => {
    await page.getByRole('link', { name: 'Workspace' }).click();
    await page.getByRole('button', { name: 'New file' }).click();
    await page.getByLabel('Name (in /)').fill('hello.ps1');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('treeitem', { name: 'hello.ps1' }).waitFor();
    expect(await readFile(join(api.workspaceRoot, 'orgs', 'contoso', 'hello.ps1'), 'utf8')).toBe('');
  });

  it('keeps the session across a reload: tokens come silently, refreshed at the provider', async () => {
    const before = provider.events.length;
    await page.reload();
    await page.getByText('Olga Editor (editor)').waitFor();
    await page.getByRole('treeitem', { name: 'hello.ps1' }).waitFor();
    const since = provider.events.slice(before);
    expect(since).not.toContain('authorize-form');
    expect(since).not.toContain('sign-in');
    expect(since).toContain('refresh');
  });

  it('signs in again through the provider when its refresh token is revoked (interactive fallback, single sign-on)', async () => {
    provider.revokeRefreshTokens();
    const before = provider.events.length;
    await page.reload();
    await page.getByRole('treeitem', { name: 'hello.ps1' }).waitFor();
    await page.getByText('Olga Editor (editor)').waitFor();
    const since = provider.events.slice(before);
    expect(since).toContain('authorize-sso');
    expect(since).not.toContain('authorize-form');
    expect(new URL(page.url()).pathname).toBe('/workspace');
  });

  it('signs out at the provider: the next visit needs the login form again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInButton().waitFor();
    const signOut = provider.events.lastIndexOf('sign-out');
    expect(signOut).toBeGreaterThanOrEqual(0);
    expect(provider.events.slice(signOut)).toContain('authorize-form');
    // Nothing of the session is left in the browser for a silent sign-in to use.
    await page.goto(`${api.url}/workspace?scope=contoso`);
    await signInButton().waitFor();
  });

  it('made no request off loopback and raised no page error', () => {
    expect(browser.offLoopback).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
