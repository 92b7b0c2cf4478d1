import type { ConnectionRepo } from './ConnectionRepo';
import type { DeliveryRepo } from './DeliveryRepo';
import { Fault } from './Fault';
import type { LeaseRepo } from './LeaseRepo';
import type { ManifestRepo } from './ManifestRepo';
import type { SyncRunRepo } from './SyncRunRepo';

/**
 * Durable metadata, as one store: connections, runs, manifests, leases and processed deliveries.
 * Adapters implement it whole; use cases depend only on the roles they use.
 */
export interface MetadataRepo extends ConnectionRepo, SyncRunRepo, ManifestRepo, LeaseRepo, DeliveryRepo {}

/** A metadata store fault (storage down, timeout), whichever role met it: retryable. */
export class MetadataUnavailableError extends Fault<'MetadataUnavailable'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MetadataUnavailable', message, { retryable: true, cause: options?.cause });
    this.name = 'MetadataUnavailableError';
  }
}
