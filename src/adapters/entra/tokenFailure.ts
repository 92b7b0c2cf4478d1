import { errors } from 'jose';
import type { Authentication } from '../../ports/Authenticator';

type Failure = Extract<Authentication, { ok: false }>;

/** Raised from key resolution when the key set itself could not be read (not the token's fault). */
export class KeySetUnreachable extends Error {
  readonly reason: string;
  constructor(cause: unknown) {
    super('the signing key set could not be read', { cause });
    this.name = 'KeySetUnreachable';
    this.reason = whyUnreadable(cause);
  }
}

function whyUnreadable(cause: unknown): string {
  if (cause instanceof errors.JWKSTimeout) return 'no answer in time';
  if (cause instanceof errors.JWKSInvalid) return 'the answer is not a valid key set';
  if (cause instanceof errors.JOSEError) return cause.message; // jose's fixed texts: "Expected 200 OK ...", "Failed to parse ..."
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code; // fetch wraps the socket error
  return typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'unknown error';
}

/**
 * Says in plain words why jose rejected a token. The messages are our own, so neither the token nor
 * anything taken from it can reach a log line; null when the error is not a verdict on the token.
 */
export function tokenFailure(error: unknown): Failure | null {
  if (error instanceof errors.JWTExpired) return fail('TokenExpired', 'token expired');
  if (error instanceof errors.JWTClaimValidationFailed)
    return fail('InvalidToken', claimMessage(error.claim, error.reason));
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail('InvalidToken', 'token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return fail('InvalidToken', 'token is signed with a key the identity provider does not publish');
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return fail('InvalidToken', 'token signing algorithm is not accepted (RS256 only)');
  if (error instanceof errors.JOSEError) return fail('InvalidToken', 'token is malformed');
  return null;
}

function claimMessage(claim: string, reason: string): string {
  if (reason === 'missing') return `token has no "${claim}" claim`;
  switch (claim) {
    case 'iss':
      return 'token issuer is not trusted';
    case 'aud':
      return 'token audience is not this API';
    case 'nbf':
      return 'token is not valid yet';
    default:
      return `token claim "${claim}" is invalid`;
  }
}

function fail(code: Failure['code'], message: string): Failure {
  return { ok: false, code, message };
}
