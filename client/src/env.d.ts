/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin when it is not this page's (the Function App's, in Azure); read at build time. */
  readonly VITE_API_BASE_URL?: string;
  /** The sign-in authority, when not login.microsoftonline.com; read at build time for the Content-Security-Policy only (the app takes it from the API). */
  readonly VITE_AUTH_AUTHORITY?: string;
}
