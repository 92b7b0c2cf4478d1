import { listDeadLettersFunction, purgeDeadLettersFunction, replayDeadLettersFunction } from './deadLetters';
import type { HttpFunctionDefinition } from './definitions';
import { githubWebhookFunction } from './githubWebhook';

export { syncWorkerFunction } from './syncWorker';
export { makeReconcileHandler } from './reconcile';

/** Every HTTP function, for the local host's router and for route-table tests. */
export const httpFunctions: readonly HttpFunctionDefinition[] = [
  githubWebhookFunction,
  listDeadLettersFunction,
  replayDeadLettersFunction,
  purgeDeadLettersFunction,
];
