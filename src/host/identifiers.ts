import type { ServiceIdentifier } from 'inversify';
import type { ConnectScope } from '../domain/connections/ConnectScope';
import type { DisconnectScope } from '../domain/connections/DisconnectScope';
import type { GetConnection } from '../domain/connections/GetConnection';
import type { ListConnections } from '../domain/connections/ListConnections';
import type { PreviewSync } from '../domain/connections/PreviewSync';
import type { ReconcileConnections } from '../domain/connections/ReconcileConnections';
import type { UpdateConnection } from '../domain/connections/UpdateConnection';
import type { CheckReadiness } from '../domain/shared/CheckReadiness';
import type { GetSyncRun } from '../domain/sync/GetSyncRun';
import type { ListSyncRuns } from '../domain/sync/ListSyncRuns';
import type { ProcessSyncCommand } from '../domain/sync/ProcessSyncCommand';
import type { PruneHistory } from '../domain/sync/PruneHistory';
import type { QueueManualSync } from '../domain/sync/QueueManualSync';
import type { ReceiveGitHubWebhook } from '../domain/sync/ReceiveGitHubWebhook';
import type { RetrySettings } from '../domain/sync/RetryPolicy';
import type { SyncSettings, SyncWorkspace } from '../domain/sync/SyncWorkspace';
import type { BrowseWorkspace } from '../domain/workspace/BrowseWorkspace';
import type { EditWorkspace } from '../domain/workspace/EditWorkspace';
import type { OpenScopeBackup } from '../domain/workspace/OpenScopeBackup';
import type { ReadWorkspaceStatus } from '../domain/workspace/ReadWorkspaceStatus';
import type { Authenticator } from '../ports/Authenticator';
import type { Clock } from '../ports/Clock';
import type { CommandConsumer, CommandQueue } from '../ports/CommandQueue';
import type { FileStore } from '../ports/FileStore';
import type { IdGenerator } from '../ports/IdGenerator';
import type { Logger } from '../ports/Logger';
import type { MetadataRepo } from '../ports/MetadataRepo';
import type { RepositoryAdmin } from '../ports/RepositoryAdmin';
import type { SecretStore } from '../ports/SecretStore';
import type { SignatureVerifier } from '../ports/SignatureVerifier';
import type { SourceRepositoryFactory } from '../ports/SourceRepository';
import type { WorkspaceArchiver } from '../ports/WorkspaceArchiver';
import type { WorkspaceBackups } from '../ports/WorkspaceBackups';
import type { Config } from './config';
import type { Lifecycle } from './Lifecycle';

/** The configuration's type, for handlers given it through TYPES.Config: src/functions imports nothing else of the host. */
export type { Config };

/** What the running service says about itself. */
export interface AppInfo {
  readonly version: string;
  readonly startedAt: Date;
}

const id = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`workspace-sync.${name}`);

/** Typed service identifiers: one per port, use case and shared object. */
export const TYPES = {
  Config: id<Config>('Config'),
  Lifecycle: id<Lifecycle>('Lifecycle'),
  Logger: id<Logger>('Logger'),
  Clock: id<Clock>('Clock'),
  IdGenerator: id<IdGenerator>('IdGenerator'),
  FileStore: id<FileStore>('FileStore'),
  MetadataRepo: id<MetadataRepo>('MetadataRepo'),
  /** The webhook's first connection look-up: may answer from a cache of CONNECTION_CACHE_SECONDS. */
  ConnectionLookup: id<Pick<MetadataRepo, 'getConnection'>>('ConnectionLookup'),
  CommandQueue: id<CommandQueue>('CommandQueue'),
  CommandConsumer: id<CommandConsumer>('CommandConsumer'),
  SecretStore: id<SecretStore>('SecretStore'),
  SourceRepositoryFactory: id<SourceRepositoryFactory>('SourceRepositoryFactory'),
  SignatureVerifier: id<SignatureVerifier>('SignatureVerifier'),
  SyncSettings: id<SyncSettings>('SyncSettings'),
  SyncWorkspace: id<SyncWorkspace>('SyncWorkspace'),
  ReceiveGitHubWebhook: id<ReceiveGitHubWebhook>('ReceiveGitHubWebhook'),
  ReconcileConnections: id<ReconcileConnections>('ReconcileConnections'),
  PruneHistory: id<PruneHistory>('PruneHistory'),
  RetrySettings: id<RetrySettings>('RetrySettings'),
  ProcessSyncCommand: id<ProcessSyncCommand>('ProcessSyncCommand'),
  Authenticator: id<Authenticator>('Authenticator'),
  AppInfo: id<AppInfo>('AppInfo'),
  CheckReadiness: id<CheckReadiness>('CheckReadiness'),
  WorkspaceArchiver: id<WorkspaceArchiver>('WorkspaceArchiver'),
  WorkspaceBackups: id<WorkspaceBackups>('WorkspaceBackups'),
  BrowseWorkspace: id<BrowseWorkspace>('BrowseWorkspace'),
  EditWorkspace: id<EditWorkspace>('EditWorkspace'),
  RepositoryAdmin: id<RepositoryAdmin>('RepositoryAdmin'),
  ConnectScope: id<ConnectScope>('ConnectScope'),
  UpdateConnection: id<UpdateConnection>('UpdateConnection'),
  DisconnectScope: id<DisconnectScope>('DisconnectScope'),
  PreviewSync: id<PreviewSync>('PreviewSync'),
  ListConnections: id<ListConnections>('ListConnections'),
  GetConnection: id<GetConnection>('GetConnection'),
  QueueManualSync: id<QueueManualSync>('QueueManualSync'),
  ListSyncRuns: id<ListSyncRuns>('ListSyncRuns'),
  GetSyncRun: id<GetSyncRun>('GetSyncRun'),
  ReadWorkspaceStatus: id<ReadWorkspaceStatus>('ReadWorkspaceStatus'),
  OpenScopeBackup: id<OpenScopeBackup>('OpenScopeBackup'),
} as const;
