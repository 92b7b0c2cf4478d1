import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../../src/adapters/entra/principalFromClaims';

const names = {
  adminRole: 'Workspace.Admin',
  editorRole: 'Workspace.Editor',
  organizationClaim: 'org_ids',
  organizationRolePrefix: 'Org.',
};

describe('principalFromClaims', () => {
  it('takes the subject from oid, falling back to sub, and refuses a token with neither', () => {
    expect(principalFromClaims({ oid: 'object-id', sub: 'pairwise-sub' }, names)?.subject).toBe('object-id');
    expect(principalFromClaims({ oid: '', sub: 'pairwise-sub' }, names)?.subject).toBe('pairwise-sub');
    expect(principalFromClaims({ sub: 'pairwise-sub' }, names)?.subject).toBe('pairwise-sub');
    expect(principalFromClaims({ name: 'Nobody' }, names)).toBeNull();
  });

  it('names the caller by name, then preferred_username, then subject', () => {
    expect(principalFromClaims({ oid: 'o', name: 'Ada', preferred_username: 'ada@x' }, names)?.name).toBe('Ada');
    expect(principalFromClaims({ oid: 'o', preferred_username: 'ada@x' }, names)?.name).toBe('ada@x');
    expect(principalFromClaims({ oid: 'o' }, names)?.name).toBe('o');
  });

  it('reads admin and editor from the roles array, with configurable role names', () => {
    const admin = principalFromClaims({ oid: 'o', roles: ['Workspace.Admin'] }, names);
    expect(admin).toMatchObject({ isAdmin: true, isEditor: false });
    const editor = principalFromClaims({ oid: 'o', roles: ['Other', 'Workspace.Editor'] }, names);
    expect(editor).toMatchObject({ isAdmin: false, isEditor: true });
    const custom = principalFromClaims({ oid: 'o', roles: ['Ops'] }, { ...names, adminRole: 'Ops' });
    expect(custom?.isAdmin).toBe(true);
    // A single-string roles claim is not what Entra sends; grant nothing rather than guess.
    expect(principalFromClaims({ oid: 'o', roles: 'Workspace.Admin' }, names)).toMatchObject({
      isAdmin: false,
      isEditor: false,
    });
  });

  it('keeps only well-formed organisation ids, from an array or a single string, without duplicates', () => {
    const claims = {
      oid: 'o',
      org_ids: ['org-a', 'GLOBAL', '..', 'a/b', 42, 'org-a', '', '3f2c9b1e-0000-4000-8000-000000000001'],
    };
    expect(principalFromClaims(claims, names)?.organizations).toEqual([
      'org-a',
      '3f2c9b1e-0000-4000-8000-000000000001',
    ]);
    expect(principalFromClaims({ oid: 'o', org_ids: 'org-b' }, names)?.organizations).toEqual(['org-b']);
    expect(principalFromClaims({ oid: 'o', org_ids: 'GLOBAL' }, names)?.organizations).toEqual([]);
    expect(principalFromClaims({ oid: 'o' }, names)?.organizations).toEqual([]);
    expect(
      principalFromClaims({ oid: 'o', extension_orgs: ['org-c'] }, { ...names, organizationClaim: 'extension_orgs' })
        ?.organizations,
    ).toEqual(['org-c']);
  });

  it('folds organisation ids to lower case, as scopes are, and never reads any spelling of global as one', () => {
    const claims = { oid: 'o', org_ids: ['CONTOSO', 'contoso', 'Org_B', 'global', 'Global'] };
    expect(principalFromClaims(claims, names)?.organizations).toEqual(['contoso', 'org_b']);
  });

  it('grants an organisation for each app role named <prefix><organisation id>, folding case, never GLOBAL', () => {
    const claims = {
      oid: 'o',
      roles: [
        'Org.Contoso',
        'Org.fabrikam',
        'Workspace.Editor',
        'Org.GLOBAL',
        'Org.global',
        'Org.',
        'Org.a.b',
        'Other.x',
        'org.lower',
      ],
    };
    expect(principalFromClaims(claims, names)).toMatchObject({
      isAdmin: false,
      isEditor: true,
      organizations: ['contoso', 'fabrikam'],
    });
    // Roles and the organisation claim add up, without duplicates.
    expect(
      principalFromClaims({ oid: 'o', roles: ['Org.contoso'], org_ids: ['CONTOSO', 'tailspin'] }, names)?.organizations,
    ).toEqual(['contoso', 'tailspin']);
    expect(
      principalFromClaims({ oid: 'o', roles: ['Tenant-contoso'] }, { ...names, organizationRolePrefix: 'Tenant-' })
        ?.organizations,
    ).toEqual(['contoso']);
  });

  it('reads a directory extension (extn.<name>) holding one id or several separated by commas or spaces', () => {
    const extension = { ...names, organizationClaim: 'extn.orgIds' };
    expect(principalFromClaims({ oid: 'o', 'extn.orgIds': 'contoso' }, extension)?.organizations).toEqual(['contoso']);
    expect(
      principalFromClaims({ oid: 'o', 'extn.orgIds': 'contoso, Fabrikam tailspin,,' }, extension)?.organizations,
    ).toEqual(['contoso', 'fabrikam', 'tailspin']);
    expect(principalFromClaims({ oid: 'o', 'extn.orgIds': ['contoso', 'a,b'] }, extension)?.organizations).toEqual([
      'contoso',
    ]);
  });
});
