import { clientConfigFunction } from './clientConfig';
import {
  createConnectionFunction,
  deleteConnectionFunction,
  getConnectionFunction,
  listConnectionsFunction,
  previewConnectionFunction,
  updateConnectionFunction,
} from './connections';
import { listDeadLettersFunction, purgeDeadLettersFunction, replayDeadLettersFunction } from './deadLetters';
import type { HttpFunctionDefinition } from './definitions';
import { githubWebhookFunction } from './githubWebhook';
import { healthFunction, readinessFunction } from './health';
import { meFunction } from './me';
import { openApiFunction } from './openApi';
import { getSyncJobFunction, listSyncJobsFunction, syncNowFunction } from './syncJobs';
import { downloadBackupFunction, listBackupsFunction } from './workspaceBackups';
import { workspaceDownloadFunction } from './workspaceDownload';
import {
  deleteWorkspaceFileFunction,
  listWorkspaceFunction,
  readWorkspaceFileFunction,
  saveWorkspaceFileFunction,
} from './workspaceFiles';
import {
  createWorkspaceFolderFunction,
  deleteWorkspaceFolderFunction,
  moveWorkspaceEntryFunction,
} from './workspaceFolders';
import { workspaceStatusFunction } from './workspaceStatus';

export { makeReconcileHandler, reconcileFunction, reconcileSchedule } from './reconcile';
export { RETENTION_SCHEDULE, retentionFunction } from './retention';
export { syncWorkerFunction } from './syncWorker';
export { warmupFunction } from './warmup';

/** Every HTTP function, for the local host's router, the OpenAPI document and route-table tests. */
export const httpFunctions: readonly HttpFunctionDefinition[] = [
  githubWebhookFunction,
  healthFunction,
  readinessFunction,
  openApiFunction,
  clientConfigFunction,
  meFunction,
  listConnectionsFunction,
  createConnectionFunction,
  getConnectionFunction,
  updateConnectionFunction,
  deleteConnectionFunction,
  previewConnectionFunction,
  listSyncJobsFunction,
  getSyncJobFunction,
  syncNowFunction,
  workspaceStatusFunction,
  workspaceDownloadFunction,
  listBackupsFunction,
  downloadBackupFunction,
  listWorkspaceFunction,
  readWorkspaceFileFunction,
  saveWorkspaceFileFunction,
  deleteWorkspaceFileFunction,
  createWorkspaceFolderFunction,
  deleteWorkspaceFolderFunction,
  moveWorkspaceEntryFunction,
  listDeadLettersFunction,
  replayDeadLettersFunction,
  purgeDeadLettersFunction,
];
