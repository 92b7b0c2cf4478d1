import { describe, expect, it } from 'vitest';
import { EnvSecretStore } from '../../src/adapters/secrets/EnvSecretStore';
import { describeSecretStoreContract } from './contracts/SecretStore.contract';

describeSecretStoreContract('environment', async (initial) => ({ adapter: new EnvSecretStore({ ...initial }) }), {
  writable: false,
});

describe('EnvSecretStore specifics', () => {
  it('treats an empty variable as unset', async () => {
    expect(await new EnvSecretStore({ EMPTY: '' }).get('EMPTY')).toBeNull();
  });

  it('reads process.env by default', async () => {
    const name = `WS_TEST_SECRET_${process.pid}`;
    process.env[name] = 'from-process-env';
    try {
      expect(await new EnvSecretStore().get(name)).toBe('from-process-env');
    } finally {
      delete process.env[name];
    }
  });
});
