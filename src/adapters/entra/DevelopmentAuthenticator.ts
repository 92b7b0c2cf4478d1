import type { Principal } from '../../domain/shared/Principal';
import type { Authentication, Authenticator } from '../../ports/Authenticator';

const LOCAL_DEVELOPER: Principal = Object.freeze({
  subject: 'local-developer',
  name: 'local developer',
  isAdmin: true,
  isEditor: true,
  organizations: Object.freeze([]) as readonly string[],
});

/** Local runs without an identity provider: every request, with or without a header, is the local developer. */
export class DevelopmentAuthenticator implements Authenticator {
  readonly mode = 'development';

  async authenticate(_authorization: string | null): Promise<Authentication> {
    return { ok: true, principal: LOCAL_DEVELOPER };
  }
}
