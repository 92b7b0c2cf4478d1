import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/ApiClient';
import type { ClientConfig, Me, ScopeAccess } from '../api/types';
import type { Session } from '../auth/Session';

export interface AppState {
  readonly api: ApiClient;
  readonly session: Session;
  readonly config: ClientConfig;
  readonly me: Me;
  /** The scope being worked on; always one the caller may open. */
  readonly scope: ScopeAccess;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside AppContext');
  return state;
}
