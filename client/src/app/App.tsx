import { useCallback, useEffect, useState } from 'react';
import { AdminPage } from '../admin/AdminPage';
import type { ApiClient } from '../api/ApiClient';
import { messageOf } from '../api/ApiError';
import type { ClientConfig, Me } from '../api/types';
import type { Session } from '../auth/Session';
import { ConnectionPage } from '../connection/ConnectionPage';
import { HistoryPage } from '../history/HistoryPage';
import { ErrorMessage, Loading } from '../ui/Feedback';
import { WorkspacePage } from '../workspace/WorkspacePage';
import { AppContext } from './AppContext';
import { hrefFor, navigate, useLocation } from './router';

const PAGES = [
  { path: '/workspace', label: 'Workspace' },
  { path: '/connection', label: 'GitHub connection' },
  { path: '/history', label: 'Sync history' },
  { path: '/admin', label: 'Admin', adminOnly: true },
] as const;

interface AppProps {
  readonly api: ApiClient;
  readonly session: Session;
  readonly config: ClientConfig;
}

/** The shell: who is signed in, the scope switcher, the page navigation and the current page. */
export function App({ api, session, config }: AppProps) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [signOutError, setSignOutError] = useState<Error | null>(null);
  const location = useLocation();

  // A sign-out that fails (the identity provider unreachable, a redirect refused) leaves the person
  // signed in: say so, or the button looks like it did nothing.
  const signOut = useCallback(async () => {
    setSignOutError(null);
    try {
      await session.signOut?.();
    } catch (failure) {
      setSignOutError(new Error(`Signing out failed: ${messageOf(failure)}`));
    }
  }, [session]);

  const loadMe = useCallback(() => {
    setError(null);
    api.me().then(setMe, setError);
  }, [api]);
  useEffect(loadMe, [loadMe]);

  const requested = location.search.get('scope');
  const scope = me?.scopes.find((candidate) => candidate.scope === requested) ?? me?.scopes[0] ?? null;
  const page = PAGES.find((candidate) => location.pathname.startsWith(candidate.path));

  useEffect(() => {
    if (!me || !scope) return;
    if (!page || requested !== scope.scope)
      navigate(hrefFor(page?.path ?? '/workspace', scope.scope), { replace: true, force: true });
  }, [me, scope, page, requested]);

  if (error) {
    return (
      <main className="page page-centered">
        <ErrorMessage error={error}>
          {' '}
          <button type="button" onClick={loadMe}>
            Try again
          </button>
        </ErrorMessage>
      </main>
    );
  }
  if (!me) return <Loading label="Signing in…" />;
  if (!scope) {
    return (
      <main className="page page-centered">
        <h1>No workspace to open</h1>
        <p>Your account ({me.name}) has no organisation assigned. Ask an MSP admin to grant you access.</p>
      </main>
    );
  }
  const visiblePages = PAGES.filter((candidate) => !('adminOnly' in candidate) || me.isAdmin);

  return (
    <AppContext.Provider value={{ api, session, config, me, scope }}>
      <header className="app-header">
        <span className="app-name">Workspace</span>
        <nav aria-label="Pages">
          <ul className="nav-list">
            {visiblePages.map((candidate) => (
              <li key={candidate.path}>
                <a
                  href={hrefFor(candidate.path, scope.scope)}
                  aria-current={page?.path === candidate.path ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(hrefFor(candidate.path, scope.scope));
                  }}
                >
                  {candidate.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <label className="scope-switcher">
          Scope{' '}
          <select
            value={scope.scope}
            onChange={(event) => navigate(hrefFor(page?.path ?? '/workspace', event.target.value))}
          >
            {me.scopes.map((candidate) => (
              <option key={candidate.scope} value={candidate.scope}>
                {candidate.scope === 'GLOBAL' ? 'GLOBAL (shared)' : candidate.scope}
                {candidate.connected ? ' · GitHub' : ''}
              </option>
            ))}
          </select>
        </label>
        <span className="user" title={me.subject}>
          {session.mode === 'development' ? <span className="badge badge-warn">development</span> : null} {me.name}
          {me.isAdmin ? ' (admin)' : me.isEditor ? ' (editor)' : ' (reader)'}
        </span>
        {session.signOut ? (
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        ) : null}
      </header>
      <ErrorMessage error={signOutError}>
        {' '}
        <button type="button" onClick={() => void signOut()}>
          Try again
        </button>
      </ErrorMessage>
      {page?.path === '/connection' ? (
        <ConnectionPage key={scope.scope} onChanged={loadMe} />
      ) : page?.path === '/history' ? (
        <HistoryPage key={scope.scope} />
      ) : page?.path === '/admin' && me.isAdmin ? (
        <AdminPage />
      ) : (
        <WorkspacePage key={scope.scope} />
      )}
    </AppContext.Provider>
  );
}
