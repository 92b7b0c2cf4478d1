import type { Principal } from '../domain/shared/Principal';
import { Fault } from './Fault';

/** Why a request is not authenticated; each maps to 401 with this code. */
export type AuthenticationFailureCode = 'MissingToken' | 'InvalidToken' | 'TokenExpired';

export type Authentication =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly code: AuthenticationFailureCode; readonly message: string };

/**
 * Turns a request's `Authorization` header into a principal. A token that fails validation is a
 * value (`ok: false`); being unable to validate at all (key set unreachable) throws
 * `AuthenticationUnavailableError`. Messages never contain the token.
 */
export interface Authenticator {
  /** `entra` validates bearer tokens; `development` answers every request with a fixed identity. */
  readonly mode: 'entra' | 'development';
  authenticate(authorization: string | null): Promise<Authentication>;
}

/** Tokens cannot be validated at all right now (key set unreachable): retryable. */
export class AuthenticationUnavailableError extends Fault<'AuthUnavailable'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AuthUnavailable', message, { retryable: true, cause: options?.cause });
    this.name = 'AuthenticationUnavailableError';
  }
}
