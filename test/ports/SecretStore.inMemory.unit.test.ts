import { InMemorySecretStore } from '../../src/adapters/in-memory/InMemorySecretStore';
import { describeSecretStoreContract } from './contracts/SecretStore.contract';

describeSecretStoreContract(
  'in-memory',
  async (initial) => {
    const shared = new Map(Object.entries(initial));
    return { adapter: new InMemorySecretStore(shared), reopen: async () => new InMemorySecretStore(shared) };
  },
  { writable: true },
);
