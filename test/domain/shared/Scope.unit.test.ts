import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GLOBAL_SCOPE, parseScope, scopeFolder } from '../../../src/domain/shared/Scope';

describe('parseScope', () => {
  it('reads GLOBAL, spelled exactly so', () => {
    expect(parseScope('GLOBAL')).toBe(GLOBAL_SCOPE);
  });

  it('folds organisation ids to lower case: on Azure Files orgs/ABC and orgs/abc are one folder', () => {
    expect(parseScope('Contoso')).toBe('contoso');
    expect(parseScope('CONTOSO')).toBe(parseScope('contoso'));
    expect(parseScope('6F9619FF-8B86-D011-B42D-00CF4FC964FF')).toBe('6f9619ff-8b86-d011-b42d-00cf4fc964ff');
    expect(parseScope('Org_1')).toBe('org_1');
    expect(scopeFolder(parseScope('ABC')!)).toBe(scopeFolder(parseScope('abc')!));
  });

  it.each(['global', 'Global', 'gLoBaL'])(
    'refuses %j: it would name the folder of GLOBAL, so it cannot be an organisation',
    (value) => {
      expect(parseScope(value)).toBeNull();
    },
  );

  it.each(['', '..', '.', 'a/b', '-a', '_a', 'a b', 'a.b', 'ä', 'a'.repeat(65), null, undefined])(
    'refuses %j',
    (value) => {
      expect(parseScope(value)).toBeNull();
    },
  );

  it('is canonical: parsing a parsed scope gives it back, and ids that differ only by case parse alike', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
    fc.assert(
      fc.property(id, (value) => {
        const scope = parseScope(value);
        if (value.toLowerCase() === 'global') return expect(scope).toBeNull();
        expect(scope).toBe(value.toLowerCase());
        expect(parseScope(scope)).toBe(scope);
        expect(parseScope(value.toUpperCase())).toBe(scope);
      }),
    );
  });
});
