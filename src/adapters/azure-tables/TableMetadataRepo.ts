import type { TableServiceClientOptions } from '@azure/data-tables';
import type { Connection } from '../../domain/connections/Connection';
import type { Scope } from '../../domain/shared/Scope';
import type { Manifest } from '../../domain/sync/Manifest';
import type { SyncRun } from '../../domain/sync/SyncRun';
import type { DeadLetterDecision } from '../../ports/DeliveryRepo';
import type { LeaseAcquisition, LeaseRelease, LeaseRequestOptions, ScopeLease } from '../../ports/LeaseRepo';
import type { MetadataRepo } from '../../ports/MetadataRepo';
import type { RunPage, RunQuery } from '../../ports/SyncRunRepo';
import type { TableClientFactory } from './TableClientFactory';
import { tableClientsFromConnectionString } from './TableClientFactory';
import { TableConnectionStore } from './TableConnectionStore';
import { TableDeliveryStore } from './TableDeliveryStore';
import { isConflict, tableCall, tableErrorCode } from './TableErrors';
import { TableLeaseStore } from './TableLeaseStore';
import { TableManifestStore } from './TableManifestStore';
import { TableRunStore } from './TableRunStore';

export type TableMetadataRepoOptions = {
  /** Table names are `<prefix>Connections`, `<prefix>Runs` ...: letters and digits, starting with a letter. */
  readonly tablePrefix: string;
} & (
  | { readonly connectionString: string; readonly clientOptions?: TableServiceClientOptions }
  /** Any other way to make clients, e.g. an endpoint with a managed-identity credential. */
  | { readonly clientFactory: TableClientFactory }
);

const TABLE_SUFFIXES = ['Connections', 'Runs', 'Manifests', 'Leases', 'Deliveries'] as const;
type TableSuffix = (typeof TABLE_SUFFIXES)[number];

/** MetadataRepo on Azure Table storage (or Azurite); each entity kind has its own table and store. */
export class TableMetadataRepo implements MetadataRepo {
  private readonly clients: Record<TableSuffix, ReturnType<TableClientFactory>>;
  private readonly connections: TableConnectionStore;
  private readonly runs: TableRunStore;
  private readonly manifests: TableManifestStore;
  private readonly leases: TableLeaseStore;
  private readonly deliveries: TableDeliveryStore;

  constructor(options: TableMetadataRepoOptions) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(options.tablePrefix)) {
      throw new RangeError('tablePrefix must be 1-41 letters or digits, starting with a letter');
    }
    const factory =
      'clientFactory' in options
        ? options.clientFactory
        : tableClientsFromConnectionString(options.connectionString, options.clientOptions);
    const client = (suffix: TableSuffix) => factory(`${options.tablePrefix}${suffix}`);
    this.clients = {
      Connections: client('Connections'),
      Runs: client('Runs'),
      Manifests: client('Manifests'),
      Leases: client('Leases'),
      Deliveries: client('Deliveries'),
    };
    this.connections = new TableConnectionStore(this.clients.Connections);
    this.runs = new TableRunStore(this.clients.Runs);
    this.manifests = new TableManifestStore(this.clients.Manifests);
    this.leases = new TableLeaseStore(this.clients.Leases);
    this.deliveries = new TableDeliveryStore(this.clients.Deliveries);
  }

  /** Creates the five tables when missing; safe to call at every start and concurrently. */
  async ensureTables(): Promise<void> {
    await Promise.all(
      TABLE_SUFFIXES.map(async (suffix) => {
        try {
          // The SDK already treats TableAlreadyExists as success; the catch covers a racing creator.
          await tableCall('ensureTables', () => this.clients[suffix].createTable());
        } catch (error) {
          if (!(isConflict(error) && tableErrorCode(error) === 'TableAlreadyExists')) throw error;
        }
      }),
    );
  }

  getConnection(scope: Scope): Promise<Connection | null> {
    return this.connections.get(scope);
  }
  listConnections(): Promise<Connection[]> {
    return this.connections.list();
  }
  saveConnection(connection: Connection): Promise<void> {
    return this.connections.save(connection);
  }
  deleteConnection(scope: Scope): Promise<void> {
    return this.connections.delete(scope);
  }

  saveRun(run: SyncRun): Promise<void> {
    return this.runs.save(run);
  }
  getRun(id: string): Promise<SyncRun | null> {
    return this.runs.get(id);
  }
  listRuns(query: RunQuery): Promise<RunPage> {
    return this.runs.list(query);
  }

  getManifest(scope: Scope): Promise<Manifest | null> {
    return this.manifests.get(scope);
  }
  saveManifest(manifest: Omit<Manifest, 'dirty'>): Promise<void> {
    return this.manifests.save(manifest);
  }
  markManifestDirty(scope: Scope): Promise<void> {
    return this.manifests.markDirty(scope);
  }
  deleteManifest(scope: Scope): Promise<void> {
    return this.manifests.delete(scope);
  }

  acquireLease(
    scope: Scope,
    holder: string,
    now: Date,
    ttlMs: number,
    options?: LeaseRequestOptions,
  ): Promise<LeaseAcquisition> {
    return this.leases.acquire(scope, holder, now, ttlMs, options);
  }
  renewLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<ScopeLease> {
    return this.leases.renew(lease, now, ttlMs);
  }
  releaseLease(lease: ScopeLease, now: Date, ttlMs: number): Promise<LeaseRelease> {
    return this.leases.release(lease, now, ttlMs);
  }

  deleteRunsBefore(before: Date, options: { readonly keepNewestPerScope: number }): Promise<number> {
    return this.runs.deleteBefore(before, options.keepNewestPerScope);
  }
  deleteDeliveriesBefore(before: Date): Promise<number> {
    return this.deliveries.deleteBefore(before);
  }

  recordDeadLetterDecision(messageId: string, decision: DeadLetterDecision): Promise<void> {
    return this.deliveries.recordDeadLetter(messageId, decision);
  }
  getDeadLetterDecision(messageId: string): Promise<DeadLetterDecision | null> {
    return this.deliveries.deadLetter(messageId);
  }
}
