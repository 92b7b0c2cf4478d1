/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin when it is not this page's (the Function App's, in Azure); read at build time. */
  readonly VITE_API_BASE_URL?: string;
}
