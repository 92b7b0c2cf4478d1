import { describe, expect, it } from 'vitest';
import { isAllowed, type Principal } from '../../../src/domain/shared/Principal';
import { GLOBAL_SCOPE, parseScope } from '../../../src/domain/shared/Scope';

const member = (organizations: string[]): Principal => ({
  subject: 's',
  name: 'n',
  isAdmin: false,
  isEditor: true,
  organizations,
});

describe('isAllowed', () => {
  it('lets a member act on their organisations whatever the case of the id in their claims', () => {
    const contoso = parseScope('contoso')!;
    expect(isAllowed(member(['CONTOSO']), 'write', contoso)).toBe(true);
    expect(isAllowed(member(['Contoso']), 'read', parseScope('CONTOSO'))).toBe(true);
    expect(isAllowed(member(['fabrikam']), 'read', contoso)).toBe(false);
  });

  it('never reads an organisation spelled like global as GLOBAL', () => {
    expect(isAllowed(member(['global', 'GLOBAL']), 'read', GLOBAL_SCOPE)).toBe(false);
  });
});
