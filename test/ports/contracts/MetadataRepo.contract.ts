import type { MetadataRepo } from '../../../src/ports/MetadataRepo';
import { describeConnectionRepoContract } from './ConnectionRepo.contract';
import { describeDeliveryRepoContract } from './DeliveryRepo.contract';
import { describeLeaseRepoContract } from './LeaseRepo.contract';
import { describeManifestRepoContract } from './ManifestRepo.contract';
import type { RepoFactory } from './MetadataRepo.fixtures';
import { describeSyncRunRepoContract } from './SyncRunRepo.contract';

export { metadataFixtures } from './MetadataRepo.fixtures';

/**
 * The MetadataRepo contract every adapter must pass (in-memory and Azure Tables alike): the contract
 * of each of its roles, each test on a fresh store.
 */
export function describeMetadataRepoContract(name: string, makeAdapter: RepoFactory<MetadataRepo>): void {
  describeConnectionRepoContract(name, makeAdapter);
  describeSyncRunRepoContract(name, makeAdapter);
  describeManifestRepoContract(name, makeAdapter);
  describeLeaseRepoContract(name, makeAdapter);
  describeDeliveryRepoContract(name, makeAdapter);
}
