import {
  type AccountInfo,
  AuthError,
  BrowserCacheLocation,
  CacheLookupPolicy,
  type Configuration,
  InteractionRequiredAuthError,
  ProtocolMode,
  PublicClientApplication,
} from '@azure/msal-browser';
import { ApiError } from '../api/ApiError';
import type { ClientConfig } from '../api/types';
import type { Session } from './Session';

type EntraConfig = Extract<ClientConfig, { authMode: 'entra' }>;

/** The MSAL configuration for the settings the API publishes (redirect flow; PKCE is MSAL's default). */
export function msalConfiguration(config: EntraConfig, origin: string): Configuration {
  return {
    auth: {
      clientId: config.clientId ?? '',
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: `${origin}/`,
      postLogoutRedirectUri: `${origin}/`,
    },
    cache: { cacheLocation: BrowserCacheLocation.SessionStorage },
    system: { protocolMode: config.protocolMode === 'OIDC' ? ProtocolMode.OIDC : ProtocolMode.AAD },
  };
}

/** Refresh-token failures that only the user can resolve at the authority: sign in again. */
const REFRESH_NEEDS_USER = new Set([
  'invalid_grant',
  'no_tokens_found',
  'refresh_token_expired',
  'token_refresh_required',
]);

/** Whether a failed silent token request needs the interactive flow rather than being an error to show. */
export function needsInteraction(error: unknown): boolean {
  return (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && REFRESH_NEEDS_USER.has(error.errorCode))
  );
}

/** The session needs the user at the authority, but the page stayed (unsaved work): nothing more can be called. */
export function signInNeeded(): ApiError {
  return new ApiError(401, 'SignInNeeded', 'Sign-in needed: save your work elsewhere or reload the page.');
}

/**
 * Signs in with the redirect flow (authorization code + PKCE) and hands out tokens from
 * `acquireTokenSilent` (cache, then refresh token), falling back to an interactive redirect when the
 * user is needed. Resolves to null while the browser is being redirected to the authority.
 *
 * Silent renewal never uses MSAL's hidden iframe: the app's pages refuse to be framed
 * (`frame-ancestors 'none'`), and browsers that block third-party cookies make it fail anyway; the
 * redirect fallback signs the user straight back in while their session at the authority lasts.
 */
export async function startMsalSession(config: EntraConfig): Promise<Session | null> {
  if (!config.clientId)
    throw new Error('Sign-in is not configured: the service has no AUTH_CLIENT_ID. Ask an administrator to set it.');
  const msal = new PublicClientApplication(msalConfiguration(config, window.location.origin));
  await msal.initialize();
  const redirected = await msal.handleRedirectPromise();
  const account: AccountInfo | null =
    redirected?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  if (!account) {
    await msal.loginRedirect({ scopes: config.scopes, redirectStartPage: window.location.href });
    return null;
  }
  msal.setActiveAccount(account);
  const request = { scopes: config.scopes };
  // Several calls may find the token unusable at once: one redirect, and every caller waits for the page to leave.
  // With unsaved work the page's leave guard asks first; when the user stays, MSAL's navigation times
  // out and from then on calls fail with a sentence rather than prompting again on every poll.
  let leaving: Promise<never> | null = null;
  let stayed = false;
  const signInAgain = (current: AccountInfo): Promise<never> => {
    if (stayed) return Promise.reject(signInNeeded());
    if (leaving === null) {
      leaving = msal
        .acquireTokenRedirect({ ...request, account: current, redirectStartPage: window.location.href })
        .then(
          () => new Promise<never>(() => undefined),
          (error: unknown) => {
            leaving = null;
            if (error instanceof AuthError && error.errorCode === 'timed_out') {
              stayed = true;
              throw signInNeeded();
            }
            throw error;
          },
        );
    }
    return leaving;
  };
  return {
    mode: 'entra',
    userName: account.name ?? account.username,
    token: async () => {
      // A redirect is under way: wait with the others (never awaited here: it only settles by failing).
      if (leaving !== null) return leaving;
      const current = msal.getActiveAccount() ?? account;
      try {
        return (
          await msal.acquireTokenSilent({
            ...request,
            account: current,
            cacheLookupPolicy: CacheLookupPolicy.AccessTokenAndRefreshToken,
          })
        ).accessToken;
      } catch (error) {
        if (needsInteraction(error)) return signInAgain(current);
        throw error;
      }
    },
    signOut: () => msal.logoutRedirect({ account: msal.getActiveAccount() ?? account }),
  };
}
