import type { EmbeddedAzuriteOptions } from './EmbeddedAzurite';

/** What AzuriteWorker hands its thread at start. */
export interface AzuriteWorkerData {
  readonly options: Omit<EmbeddedAzuriteOptions, 'persistencePath'>;
}

export type ToAzuriteWorker =
  /** The database file, its folder now locked by the main thread; undefined = in memory. */
  { readonly kind: 'start'; readonly dbPath: string | undefined } | { readonly kind: 'stop' };

export type FromAzuriteWorker =
  | { readonly kind: 'ready'; readonly port: number; readonly tableEndpoint: string; readonly connectionString: string }
  | { readonly kind: 'stopped' }
  /** Start or stop failed; the error, as far as it crosses the thread boundary. */
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string; readonly stack?: string };
