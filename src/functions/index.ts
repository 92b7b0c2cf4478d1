import { githubWebhookFunction } from './githubWebhook';
import type { HttpFunctionDefinition } from './definitions';

export { syncWorkerFunction } from './syncWorker';

/** Every HTTP function, for the local host's router and for route-table tests. */
export const httpFunctions: readonly HttpFunctionDefinition[] = [githubWebhookFunction];
