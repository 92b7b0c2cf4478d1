import type { operations } from './schema';

/** The JSON body a route answers with for `status` (generated from the backend's OpenAPI document). */
type Answer<Op extends keyof operations, Status extends number = 200> = Status extends keyof operations[Op]['responses']
  ? operations[Op]['responses'][Status] extends { content: { 'application/json': infer Json } }
    ? Json
    : never
  : never;

/** The JSON body a route accepts. */
type RequestJson<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer Json } };
}
  ? Json
  : never;

export type ClientConfig = Answer<'clientConfig'>;
export type Me = Answer<'me'>;
export type ScopeAccess = Me['scopes'][number];
export type WorkspaceStatus = Answer<'workspaceStatus'>;
export type Connection = Answer<'getConnection'>;
export type TreeEntry = Answer<'listWorkspace'>['entries'][number];
export type FileContent = Answer<'readWorkspaceFile'>;
export type SavedFile = Answer<'saveWorkspaceFile'>;
export type ConnectRequest = RequestJson<'createConnection'>;
export type Connected = Answer<'createConnection', 201>;
export type UpdateRequest = RequestJson<'updateConnection'>;
export type Updated = Answer<'updateConnection'>;
export type Preview = Answer<'previewConnection'>;
export type Disconnected = Answer<'deleteConnection'>;
export type SyncQueued = Answer<'syncNow', 202>;
export type SyncRun = Answer<'getSyncJob'>;
export type SyncRunPage = Answer<'listSyncJobs'>;
export type DeadLetters = Answer<'listDeadLetters'>;
export type ReplayResult = Answer<'replayDeadLetters'>;
export type Backup = Answer<'listBackups'>['items'][number];
export type Readiness = Answer<'readiness'>;
