import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient, fetchClientConfig } from './api/ApiClient';
import { messageOf } from './api/ApiError';
import { API_BASE_URL } from './api/apiBase';
import { App } from './app/App';
import { developmentSession, type Session } from './auth/Session';
import './styles.css';

async function start(): Promise<void> {
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element to render into');
  const root = createRoot(container);
  try {
    const config = await fetchClientConfig(API_BASE_URL);
    // MSAL loads only in entra mode, in its own chunk.
    const session: Session | null =
      config.authMode === 'development'
        ? developmentSession()
        : await (await import('./auth/msalSession')).startMsalSession(config);
    if (!session) return; // redirected to sign in
    const api = new ApiClient(session.token, API_BASE_URL);
    root.render(
      <StrictMode>
        <App api={api} session={session} config={config} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <main className="page page-centered">
        <h1>Workspace could not start</h1>
        <p role="alert" className="notice notice-error">
          {messageOf(error)}
        </p>
      </main>,
    );
  }
}

void start();
