import { describe, expect, it } from 'vitest';
import { isValidBranchName, type Connection } from '../../../src/domain/Connection';
import { connectionSecretNames, newWebhookSecret } from '../../../src/domain/ConnectionSecrets';
import { connectionView } from '../../../src/domain/ConnectionView';
import { GLOBAL_SCOPE, parseScope, type Scope } from '../../../src/domain/Scope';

describe('isValidBranchName', () => {
  it.each(['main', 'release/2025', 'feature/x-1_2', 'v1.2', 'a@b', 'ünï'])('accepts %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });
  it.each(['', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'a.lock', 'a/b.lock/c', '@', 'a@{1}', 'a\u0001', 'x'.repeat(256)])(
    'refuses %j',
    (name) => {
      expect(isValidBranchName(name)).toBe(false);
    },
  );
});

describe('connectionSecretNames', () => {
  const KEY_VAULT_NAME = /^[0-9A-Za-z-]{1,127}$/;

  it('keeps simple organisation ids readable', () => {
    expect(connectionSecretNames('org-1' as Scope)).toEqual({ token: 'github-token-org-1', webhookSecret: 'webhook-secret-org-1' });
  });

  it('gives names Key Vault accepts, distinct even where Key Vault would fold them together', () => {
    const scopes = [GLOBAL_SCOPE, 'global', 'Org_1', 'org-1', 'org_1', 'ORG-1', '6F9619FF-8B86-D011-B42D-00CF4FC964FF', 'a'.repeat(64)].map((s) => parseScope(s)!);
    const names = scopes.map((scope) => connectionSecretNames(scope));
    for (const { token, webhookSecret } of names) {
      expect(token).toMatch(KEY_VAULT_NAME);
      expect(webhookSecret).toMatch(KEY_VAULT_NAME);
    }
    const folded = names.map((name) => name.token.toLowerCase());
    expect(new Set(folded).size).toBe(scopes.length);
  });

  it('is stable: the same scope always gets the same names', () => {
    expect(connectionSecretNames(GLOBAL_SCOPE)).toEqual(connectionSecretNames(GLOBAL_SCOPE));
  });
});

describe('newWebhookSecret', () => {
  it('is 32 random bytes in hex, different every time', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});

describe('connectionView', () => {
  const base: Connection = {
    scope: 'org-1' as Scope,
    repository: 'acme/scripts',
    branch: 'main',
    subPath: 'ops',
    tokenRef: 'github-token-org-1',
    webhookSecretRef: 'webhook-secret-org-1',
    enabled: true,
    webhook: { mode: 'automatic', id: 42 },
    createdAt: new Date('2025-01-01T00:00:00.000Z'),
    updatedAt: new Date('2025-01-02T00:00:00.000Z'),
  };

  it('shows what an API may show, dates as ISO text and absent values as null', () => {
    expect(connectionView(base)).toEqual({
      scope: 'org-1',
      repository: 'acme/scripts',
      branch: 'main',
      subPath: 'ops',
      enabled: true,
      webhook: { mode: 'automatic', id: 42 },
      lastSyncedCommit: null,
      lastSyncOutcome: null,
      lastSyncAt: null,
      branchDeletedAt: null,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-02T00:00:00.000Z',
    });
  });

  it('never shows secret references', () => {
    const view = connectionView({ ...base, webhook: { mode: 'manual' }, lastSyncedCommit: 'c'.repeat(40), lastSyncOutcome: 'failed', lastSyncAt: new Date(5), branchDeletedAt: new Date(6) });
    expect(JSON.stringify(view)).not.toMatch(/github-token|webhook-secret|Ref/);
    expect(view).toMatchObject({ webhook: { mode: 'manual' }, lastSyncOutcome: 'failed', lastSyncAt: '1970-01-01T00:00:00.005Z' });
  });
});
