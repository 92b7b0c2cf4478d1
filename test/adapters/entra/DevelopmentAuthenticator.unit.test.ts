import { describe, expect, it } from 'vitest';
import { DevelopmentAuthenticator } from '../../../src/adapters/entra/DevelopmentAuthenticator';

describe('DevelopmentAuthenticator', () => {
  it('answers every request, with or without a header, as the local developer', async () => {
    const authenticator = new DevelopmentAuthenticator();
    const expected = {
      ok: true,
      principal: {
        subject: 'local-developer',
        name: 'local developer',
        isAdmin: true,
        isEditor: true,
        organizations: [],
      },
    };
    expect(authenticator.mode).toBe('development');
    expect(await authenticator.authenticate(null)).toEqual(expected);
    expect(await authenticator.authenticate('')).toEqual(expected);
    expect(await authenticator.authenticate('Bearer not-even-a-jwt')).toEqual(expected);
  });
});
