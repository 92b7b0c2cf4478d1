import type { TokenSource } from '../api/ApiClient';

/** Who is using the app and how calls get their token. */
export interface Session {
  readonly mode: 'development' | 'entra';
  /** Shown in the header. */
  readonly userName: string;
  readonly token: TokenSource;
  /** Null when there is nothing to sign out of (development mode). */
  readonly signOut: (() => Promise<void>) | null;
}

/** AUTH_MODE=development: the service acts as the local developer; no sign-in, no token. */
export function developmentSession(): Session {
  return {
    mode: 'development',
    userName: 'local developer (development mode)',
    token: async () => null,
    signOut: null,
  };
}
