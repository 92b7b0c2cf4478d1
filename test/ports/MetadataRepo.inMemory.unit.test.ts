import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { describeMetadataRepoContract } from './contracts/MetadataRepo.contract';

describeMetadataRepoContract('in-memory', async () => ({ adapter: new InMemoryMetadataRepo() }));
