import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { keyVaultFault } from '../../../src/adapters/key-vault/keyVaultFault';
import { isKeyVaultSecretName } from '../../../src/adapters/key-vault/keyVaultSecretName';
import { connectionSecretNames } from '../../../src/domain/connections/ConnectionSecrets';
import { parseScope } from '../../../src/domain/shared/Scope';

const call = {
  operation: 'set',
  name: 'github-token-acme',
  vaultUrl: 'https://example.vault.azure.net',
  value: 'ghp_secret value\nline 2',
} as const;

describe('Key Vault secret names', () => {
  it('accepts the names connections use', () => {
    for (const scope of ['GLOBAL', 'acme', 'Org_With_Capitals', 'X'.repeat(64)]) {
      const { token, webhookSecret } = connectionSecretNames(parseScope(scope)!);
      expect(isKeyVaultSecretName(token)).toBe(true);
      expect(isKeyVaultSecretName(webhookSecret)).toBe(true);
    }
  });

  it('accepts 1 to 127 letters, digits and dashes, and nothing else', () => {
    expect(isKeyVaultSecretName('a')).toBe(true);
    expect(isKeyVaultSecretName('-A-9-')).toBe(true);
    expect(isKeyVaultSecretName('x'.repeat(127))).toBe(true);
    for (const name of ['', 'x'.repeat(128), 'a_b', 'a.b', 'a/b', 'ä', 'a b', '__proto__', 'a\n'])
      expect(isKeyVaultSecretName(name)).toBe(false);
  });
});

describe('Key Vault faults', () => {
  it('keeps the words of an error that is no transport fault, less the value being set', () => {
    const fault = keyVaultFault(new Error('The challenge resource does not match the requested domain'), call);
    expect(fault).toMatchObject({ code: 'Rejected', retryable: false });
    expect(fault.message).toBe(
      `Key Vault set of secret 'github-token-acme' on https://example.vault.azure.net failed: Error: The challenge resource does not match the requested domain`,
    );

    for (const quoted of [`bad value ${call.value}`, 'bad value ghp_secret value line 2']) {
      const withheld = keyVaultFault(new TypeError(quoted), call);
      expect(withheld.message).toMatch(/detail withheld/);
      expect(withheld.message).not.toContain('ghp_secret');
    }
  });

  it('takes Node socket errors for an unreachable vault (retryable)', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(keyVaultFault(reset, call)).toMatchObject({ code: 'Unavailable', retryable: true });
  });

  it("tells the identity library's errors apart by their names, as the library sets them", () => {
    expect(keyVaultFault(new CredentialUnavailableError('no managed identity endpoint'), call)).toMatchObject({
      code: 'IdentityUnavailable',
      retryable: false,
    });
    expect(keyVaultFault(new AggregateAuthenticationError([], 'none of the credentials worked'), call)).toMatchObject({
      code: 'IdentityUnavailable',
    });
    expect(keyVaultFault(new AuthenticationError(503, 'busy'), call)).toMatchObject({
      code: 'Unavailable',
      retryable: true,
    });
    expect(
      keyVaultFault(new AuthenticationError(400, { error: 'invalid_client', error_description: 'bad' }), call),
    ).toMatchObject({ code: 'AccessDenied', retryable: false });
  });

  it('says what was thrown when it is not an Error', () => {
    expect(keyVaultFault('ghp_secret value\nline 2', call).message).toMatch(/failed: a thrown string$/);
  });
});
