import type { AccessToken, TokenCredential } from '@azure/identity';
import { AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyVaultSecretClient } from '../../../src/adapters/key-vault/createKeyVaultSecretClient';
import { KeyVaultError } from '../../../src/adapters/key-vault/KeyVaultError';
import {
  KeyVaultSecretStore,
  type KeyVaultSecretStoreOptions,
} from '../../../src/adapters/key-vault/KeyVaultSecretStore';
import { connectionSecretNames } from '../../../src/domain/connections/ConnectionSecrets';
import { parseScope } from '../../../src/domain/shared/Scope';
import { type KeyVaultPeer, startKeyVaultPeer } from '../../support/keyVaultPeer';

const VALUE = 'ghp_do_not_leak_0123456789abcdef';

describe('KeyVaultSecretStore against a Key Vault-shaped peer', () => {
  let peer: KeyVaultPeer;

  beforeEach(async () => {
    peer = await startKeyVaultPeer();
  });

  afterEach(async () => {
    await peer.close();
  });

  function store(
    credential: TokenCredential = peer.credential(),
    options: SecretClientOptions = {},
    storeOptions: KeyVaultSecretStoreOptions = {},
  ): KeyVaultSecretStore {
    return new KeyVaultSecretStore(
      createKeyVaultSecretClient(peer.vaultUrl, credential, peer.clientOptions(options)),
      storeOptions,
    );
  }

  async function failure(promise: Promise<unknown>): Promise<KeyVaultError> {
    const thrown = await promise.then(
      () => expect.unreachable('expected a fault'),
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(KeyVaultError);
    return thrown as KeyVaultError;
  }

  function expectNoValue(error: KeyVaultError): void {
    expect(error.message).not.toContain(VALUE);
    expect(String(error.stack)).not.toContain(VALUE);
    expect(JSON.stringify(error)).not.toContain(VALUE);
    expect(error.cause).toBeUndefined();
  }

  const statuses = () => peer.requests.map((request) => `${request.method} ${request.status}`);
  const calls = (from = 0) =>
    peer.requests.slice(from).map((request) => `${request.method} ${request.path} ${request.status}`);

  it('answers the challenge: one unauthenticated probe, then a token for the vault resource and the challenge tenant', async () => {
    const credential = peer.credential();
    const secrets = store(credential);
    const { token, webhookSecret } = connectionSecretNames(parseScope('acme')!);

    expect(await secrets.set(token, VALUE)).toBe(token);
    expect(await secrets.get(token)).toBe(VALUE);
    expect(await secrets.get(webhookSecret)).toBeNull();

    expect(statuses()).toEqual(['PUT 401', 'PUT 200', 'GET 200', 'GET 404']);
    expect(peer.requests[0]!.authenticated).toBe(false);
    expect(peer.requests.slice(1).every((request) => request.authenticated && request.apiVersion)).toBe(true);
    expect(credential.requests[0]).toEqual({ scopes: ['https://vault.azure.net/.default'], tenantId: peer.tenantId });
  });

  it('reads the latest version, by name, without regard to case (as Key Vault names compare)', async () => {
    peer.seed('webhook-secret-acme', 'first');
    const secrets = store();
    expect(await secrets.set('webhook-secret-acme', 'second')).toBe('webhook-secret-acme');
    expect(await secrets.get('webhook-secret-acme')).toBe('second');
    expect(await secrets.get('WEBHOOK-SECRET-ACME')).toBe('second');
  });

  it('answers null for a 404 SecretNotFound', async () => {
    expect(await store().get('github-token-nobody')).toBeNull();
    expect(peer.requests.at(-1)).toMatchObject({ method: 'GET', path: '/secrets/github-token-nobody/', status: 404 });
  });

  it('answers null for references Key Vault cannot hold, without a request', async () => {
    const secrets = store();
    for (const ref of [
      '',
      'a/b',
      '../keys/x',
      'GITHUB_TOKEN',
      'with space',
      'ünïcode',
      'x'.repeat(128),
      'name?api-version=1',
    ]) {
      expect(await secrets.get(ref)).toBeNull();
    }
    expect(await secrets.get('x'.repeat(127))).toBeNull(); // the longest valid name is asked for
    expect(peer.requests.map((request) => request.path)).toEqual([
      `/secrets/${'x'.repeat(127)}/`,
      `/secrets/${'x'.repeat(127)}/`,
    ]);
  });

  it('refuses to set a name Key Vault cannot hold, without a request or the value in the message', async () => {
    const error = await failure(store().set('github_token', VALUE));
    expect(error).toMatchObject({ code: 'InvalidName', retryable: false });
    expect(error.message).toMatch(/letters, digits and dashes/);
    expectNoValue(error);
    expect(peer.requests).toHaveLength(0);
  });

  it('reports 403 as missing permissions on the vault, not retryable and not retried', async () => {
    peer.seed('github-token-acme', VALUE);
    peer.setForbidden(true);
    const secrets = store();

    const reading = await failure(secrets.get('github-token-acme'));
    expect(reading).toMatchObject({ code: 'AccessDenied', retryable: false, status: 403 });
    expect(reading.message).toMatch(/get of secret 'github-token-acme' on https:\/\/127\.0\.0\.1:\d+/);
    expect(reading.message).toMatch(/HTTP 403 Forbidden\/ForbiddenByRbac/);
    expect(reading.message).toMatch(/identity lacks permissions on the vault/);
    expect(reading.message).toMatch(/Key Vault Secrets Officer/);
    expect(reading.message).toMatch(/AZURE_CLIENT_ID/);
    expectNoValue(reading);

    const writing = await failure(secrets.set('github-token-acme', VALUE));
    expect(writing).toMatchObject({ code: 'AccessDenied', retryable: false });
    expectNoValue(writing);
    expect(statuses()).toEqual(['GET 401', 'GET 403', 'PUT 403']);
  });

  it('reports a token the vault does not accept as 401 access denied', async () => {
    const error = await failure(store(peer.credential('a-token-from-another-tenant')).set('github-token-acme', VALUE));
    expect(error).toMatchObject({ code: 'AccessDenied', retryable: false, status: 401 });
    expect(error.message).toMatch(/did not accept the identity's token/);
    expect(error.message).toMatch(/Key Vault Secrets Officer/);
    expectNoValue(error);
    expect(statuses()).toEqual(['PUT 401', 'PUT 401']);
  });

  it('retries a 503 and a throttled 429 and then succeeds', async () => {
    peer.seed('github-token-acme', VALUE);
    const secrets = store();
    expect(await secrets.get('github-token-acme')).toBe(VALUE); // completes the challenge first
    peer.failNext(1, 503);
    expect(await secrets.get('github-token-acme')).toBe(VALUE);
    peer.failNext(1, 429);
    expect(await secrets.set('github-token-acme', 'rotated')).toBe('github-token-acme');
    expect(statuses().slice(2)).toEqual(['GET 503', 'GET 200', 'PUT 429', 'PUT 200']);
    expect(await secrets.get('github-token-acme')).toBe('rotated');
  });

  it('throws a retryable fault, without the value, once a 503 outlasts the retries', async () => {
    peer.setAvailable(false);
    const error = await failure(store().set('github-token-acme', VALUE));
    expect(error).toMatchObject({ code: 'Unavailable', retryable: true, status: 503 });
    expect(error.message).toMatch(/set of secret 'github-token-acme'.*HTTP 503 ServiceUnavailable/);
    expectNoValue(error);
    expect(statuses()).toEqual(['PUT 503', 'PUT 503', 'PUT 503']); // one try and the two retries
  });

  it('throws a retryable fault when the vault cannot be reached', async () => {
    await peer.close();
    const error = await failure(
      store(peer.credential(), { retryOptions: { maxRetries: 1, retryDelayInMs: 10 } }).get('github-token-acme'),
    );
    expect(error).toMatchObject({ code: 'Unavailable', retryable: true });
    expect(error.message).toMatch(/got no answer: RestError ECONNREFUSED/);
  });

  it('reports a missing identity as not retryable, and a failing identity endpoint as retryable', async () => {
    const noIdentity: TokenCredential = {
      getToken: async (): Promise<AccessToken> => {
        throw new CredentialUnavailableError('ManagedIdentityCredential: no managed identity endpoint found');
      },
    };
    const missing = await failure(store(noIdentity).set('github-token-acme', VALUE));
    expect(missing).toMatchObject({ code: 'IdentityUnavailable', retryable: false });
    expect(missing.message).toMatch(/no managed identity endpoint found.*AZURE_CLIENT_ID/);
    expectNoValue(missing);

    const endpointDown: TokenCredential = {
      getToken: async (): Promise<AccessToken> => {
        throw new AuthenticationError(503, { error: 'temporarily_unavailable', error_description: 'try later' });
      },
    };
    const down = await failure(store(endpointDown).get('github-token-acme'));
    expect(down).toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it("needs the challenge resource check off for a vault outside vault.azure.net (the SDK's own guard)", async () => {
    const client = createKeyVaultSecretClient(peer.vaultUrl, peer.credential(), {
      ...peer.clientOptions(),
      disableChallengeResourceVerification: false,
    });
    const error = await failure(new KeyVaultSecretStore(client).get('github-token-acme'));
    expect(error).toMatchObject({ code: 'Rejected', retryable: false });
    expect(error.message).toMatch(/challenge resource 'vault.azure.net' does not match the requested domain/);
    expect(statuses()).toEqual(['GET 401']);
  });

  describe('delete', () => {
    it('soft-deletes with one DELETE and one look at the deleted secret, then get answers null', async () => {
      peer.seed('github-token-acme', VALUE);
      peer.seed('webhook-secret-acme', 'kept');
      const secrets = store();
      await secrets.delete('github-token-acme');
      expect(peer.state('github-token-acme')).toBe('deleted');
      expect(await secrets.get('github-token-acme')).toBeNull();
      expect(await secrets.get('webhook-secret-acme')).toBe('kept');
      expect(calls()).toEqual([
        'DELETE /secrets/github-token-acme 401',
        'DELETE /secrets/github-token-acme 200',
        'GET /deletedsecrets/github-token-acme 200',
        'GET /secrets/github-token-acme/ 404',
        'GET /secrets/webhook-secret-acme/ 200',
      ]);
    });

    it('does not wait for a deletion that is still settling (no pollUntilDone, nothing purged)', async () => {
      peer.seed('github-token-acme', VALUE);
      peer.holdDeletions(true);
      const secrets = store();
      const started = Date.now();
      await secrets.delete('github-token-acme');
      expect(Date.now() - started).toBeLessThan(1_500); // the SDK's poller would look again after 2 s
      expect(peer.state('github-token-acme')).toBe('deleting');
      expect(await secrets.get('github-token-acme')).toBeNull();
      expect(statuses()).toEqual(['DELETE 401', 'DELETE 200', 'GET 404', 'GET 404']);
    });

    it('resolves for a secret that is not there or already deleted, and for names a vault cannot hold without a request', async () => {
      const secrets = store();
      await secrets.delete('github-token-nobody');
      peer.seed('github-token-acme', VALUE);
      await secrets.delete('github-token-acme');
      await secrets.delete('github-token-acme');
      peer.holdDeletions(true);
      peer.seed('webhook-secret-acme', VALUE);
      await secrets.delete('webhook-secret-acme');
      await secrets.delete('webhook-secret-acme'); // 409 ObjectIsBeingDeleted: someone got there first
      for (const ref of ['GITHUB_TOKEN', 'a/b', '']) await secrets.delete(ref);
      expect(statuses()).toEqual([
        'DELETE 401',
        'DELETE 404',
        'DELETE 200',
        'GET 200',
        'DELETE 404',
        'DELETE 200',
        'GET 404',
        'DELETE 409',
      ]);
    });

    it('reports a vault that refuses the delete as access denied, and an unavailable one as retryable', async () => {
      peer.seed('github-token-acme', VALUE);
      peer.setForbidden(true);
      const denied = await failure(store().delete('github-token-acme'));
      expect(denied).toMatchObject({ code: 'AccessDenied', retryable: false, status: 403 });
      expect(denied.message).toMatch(
        /delete of secret 'github-token-acme'.*get, set, delete and recover secret permissions/,
      );
      peer.setForbidden(false);
      peer.setAvailable(false);
      const down = await failure(
        store(peer.credential(), { retryOptions: { maxRetries: 1, retryDelayInMs: 10 } }).delete('github-token-acme'),
      );
      expect(down).toMatchObject({ code: 'Unavailable', retryable: true, status: 503 });
      peer.setAvailable(true);
      expect(peer.state('github-token-acme')).toBe('active');
    });
  });

  describe('set of a name whose secret was deleted', () => {
    it('recovers the deleted secret, then writes the new value as its next version', async () => {
      const secrets = store();
      await secrets.set('github-token-acme', 'first');
      await secrets.delete('github-token-acme');
      const from = peer.requests.length;

      expect(await secrets.set('github-token-acme', VALUE)).toBe('github-token-acme');
      expect(await secrets.get('github-token-acme')).toBe(VALUE);
      expect(peer.state('github-token-acme')).toBe('active');
      expect(calls(from)).toEqual([
        'PUT /secrets/github-token-acme 409',
        'GET /secrets/github-token-acme/ 404', // the recover poller looks first
        'POST /deletedsecrets/github-token-acme/recover 200',
        'GET /secrets/github-token-acme/ 200',
        'PUT /secrets/github-token-acme 200',
        'GET /secrets/github-token-acme/ 200',
      ]);
    });

    it('waits out a deletion that is still settling', async () => {
      const secrets = store(peer.credential(), {}, { busyWaitsMs: [50, 50, 50, 50, 50, 50, 50, 50, 50, 50] });
      peer.seed('github-token-acme', 'first');
      peer.holdDeletions(true);
      await secrets.delete('github-token-acme');
      setTimeout(() => peer.holdDeletions(false), 200);

      expect(await secrets.set('github-token-acme', VALUE)).toBe('github-token-acme');
      expect(await secrets.get('github-token-acme')).toBe(VALUE);
      const puts = peer.requests.filter((request) => request.method === 'PUT').map((request) => request.status);
      expect(puts.at(-1)).toBe(200);
      expect(puts.slice(0, -1).every((status) => status === 409) && puts.length > 1).toBe(true);
    });

    it('gives up after the waits it was given, with the conflict and without the value', async () => {
      const secrets = store(peer.credential(), {}, { busyWaitsMs: [10, 10] });
      peer.seed('github-token-acme', 'first');
      peer.holdDeletions(true);
      await secrets.delete('github-token-acme');
      const from = peer.requests.length;

      const error = await failure(secrets.set('github-token-acme', VALUE));
      expect(error).toMatchObject({ code: 'Rejected', retryable: false, status: 409 });
      expect(error.message).toMatch(/set of secret 'github-token-acme'.*409 Conflict\/ObjectIsBeingDeleted/);
      expectNoValue(error);
      expect(peer.requests.slice(from).filter((request) => request.method === 'PUT')).toHaveLength(3); // first try + one per wait
    });
  });
});
