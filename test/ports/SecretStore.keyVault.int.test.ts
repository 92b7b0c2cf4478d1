import { createKeyVaultSecretClient } from '../../src/adapters/key-vault/createKeyVaultSecretClient';
import { KeyVaultSecretStore } from '../../src/adapters/key-vault/KeyVaultSecretStore';
import { startKeyVaultPeer } from '../support/keyVaultPeer';
import { describeSecretStoreContract } from './contracts/SecretStore.contract';

// The real SDK over TLS to a Key Vault-shaped peer (one vault per fixture), with the SDK's
// challenge-based bearer authentication.
describeSecretStoreContract(
  'Azure Key Vault',
  async (initial) => {
    const peer = await startKeyVaultPeer();
    for (const [name, value] of Object.entries(initial)) peer.seed(name, value);
    const open = () =>
      new KeyVaultSecretStore(createKeyVaultSecretClient(peer.vaultUrl, peer.credential(), peer.clientOptions()));
    return { adapter: open(), reopen: async () => open(), cleanup: () => peer.close() };
  },
  { writable: true },
);
