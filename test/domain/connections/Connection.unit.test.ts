import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeyVaultSecretName } from '../../../src/adapters/key-vault/keyVaultSecretName';
import { type Connection, isValidBranchName } from '../../../src/domain/connections/Connection';
import { connectionSecretNames, newWebhookSecret } from '../../../src/domain/connections/ConnectionSecrets';
import { connectionView } from '../../../src/domain/connections/ConnectionView';
import { GLOBAL_SCOPE, parseScope, type Scope } from '../../../src/domain/shared/Scope';

describe('isValidBranchName', () => {
  it.each(['main', 'release/2025', 'feature/x-1_2', 'v1.2', 'a@b', 'ünï'])('accepts %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });
  it.each([
    '',
    'a..b',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    '/a',
    'a/',
    'a//b',
    'a.',
    '.a',
    'a/.b',
    'a.lock',
    'a/b.lock/c',
    '@',
    'a@{1}',
    'a\u0001',
    'x'.repeat(256),
  ])('refuses %j', (name) => {
    expect(isValidBranchName(name)).toBe(false);
  });
});

describe('connectionSecretNames', () => {
  const organisationId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
  const scope = fc.oneof(
    fc.constant(GLOBAL_SCOPE),
    organisationId.map(parseScope).filter((parsed): parsed is Scope => parsed !== null),
  );

  it('keeps simple organisation ids readable', () => {
    expect(connectionSecretNames('org-1' as Scope)).toEqual({
      token: 'github-token-org-1',
      webhookSecret: 'webhook-secret-org-1',
    });
    expect(connectionSecretNames(GLOBAL_SCOPE)).toEqual({
      token: 'github-token-global',
      webhookSecret: 'webhook-secret-global',
    });
  });

  it('never gives two scopes one name, not even the ones an unkeyed hash of the folded id let collide', () => {
    // The names a folded id plus an unkeyed FNV-1a hash gave: 'org_1' -> 'org-1-e1b60479', also the plain name of that id.
    const ids = ['contoso', 'contoso-2d052440', 'org_1', 'org-1-e1b60479', 'org-1', 'a_b-c', 'a-b_c', 'a_', 'a-'];
    const tokens = ids.map((id) => connectionSecretNames(parseScope(id)!).token.toLowerCase());
    expect(new Set(tokens).size).toBe(ids.length);
  });

  it('gives every pair of distinct scopes distinct Key Vault names (compared without case), all valid', () => {
    fc.assert(
      fc.property(scope, scope, (a, b) => {
        const [first, second] = [connectionSecretNames(a), connectionSecretNames(b)];
        for (const name of [first.token, first.webhookSecret]) expect(isKeyVaultSecretName(name), name).toBe(true);
        expect(first.token.toLowerCase() === second.token.toLowerCase()).toBe(a === b);
        expect(first.webhookSecret.toLowerCase() === second.webhookSecret.toLowerCase()).toBe(a === b);
        expect(first.token.toLowerCase()).not.toBe(second.webhookSecret.toLowerCase());
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives distinct names to ids that differ only in where their separators are - or _', () => {
    const separators = fc.array(fc.constantFrom('-', '_'), { minLength: 1, maxLength: 63 });
    fc.assert(
      fc.property(separators, separators, (x, y) => {
        const id = (marks: string[]) => parseScope(`a${marks.join('a')}`)!;
        const [a, b] = [id(x), id(y)];
        expect(connectionSecretNames(a).token === connectionSecretNames(b).token).toBe(a === b);
      }),
    );
  });

  it('fits the longest id in the 127 characters Key Vault allows', () => {
    const longest = parseScope(`a${'_-'.repeat(31)}_`)!;
    expect(longest).toHaveLength(64);
    expect(isKeyVaultSecretName(connectionSecretNames(longest).webhookSecret)).toBe(true);
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
    const view = connectionView({
      ...base,
      webhook: { mode: 'manual' },
      lastSyncedCommit: 'c'.repeat(40),
      lastSyncOutcome: 'failed',
      lastSyncAt: new Date(5),
      branchDeletedAt: new Date(6),
    });
    expect(JSON.stringify(view)).not.toMatch(/github-token|webhook-secret|Ref/);
    expect(view).toMatchObject({
      webhook: { mode: 'manual' },
      lastSyncOutcome: 'failed',
      lastSyncAt: '1970-01-01T00:00:00.005Z',
    });
  });
});
