import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import {
  AuthenticationUnavailableError,
  type Authentication,
  type Authenticator,
} from '../../ports/Authenticator';
import { principalFromClaims, type ClaimNames } from './principalFromClaims';
import { KeySetUnreachable, tokenFailure } from './tokenFailure';

export interface EntraJwtAuthenticatorOptions {
  /** Accepted `iss` values: `https://login.microsoftonline.com/<tenant>/v2.0` and/or `https://sts.windows.net/<tenant>/`. */
  readonly issuers: readonly string[];
  /** Accepted `aud` values: the API's client id and/or its App ID URI. */
  readonly audiences: readonly string[];
  /** The tenant's key set, e.g. `https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys`. */
  readonly jwksUrl: string;
  readonly clockToleranceSeconds: number;
  readonly adminRole?: string;
  readonly editorRole?: string;
  readonly organizationClaim?: string;
  readonly jwksTimeoutMs?: number;
  /** Least time between two key set fetches caused by an unknown `kid` (jose's default, 30 s). */
  readonly jwksCooldownMs?: number;
}

// Entra signs access tokens with RS256 only; accepting anything else only widens the attack surface.
const ALGORITHMS = ['RS256'];
const BEARER = /^Bearer +(\S+) *$/i;

/** Validates Entra ID bearer tokens against the tenant's published signing keys. */
export class EntraJwtAuthenticator implements Authenticator {
  readonly mode = 'entra';
  private readonly keys: JWTVerifyGetKey;
  private readonly claimNames: ClaimNames;

  constructor(private readonly options: EntraJwtAuthenticatorOptions) {
    if (options.issuers.length === 0) throw new TypeError('EntraJwtAuthenticator needs at least one issuer');
    if (options.audiences.length === 0) throw new TypeError('EntraJwtAuthenticator needs at least one audience');
    // One cached key set per authenticator: jose refetches it on an unknown kid, at most once per cooldown.
    const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
      ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
    });
    this.keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // No key for this kid is the token's fault; anything else (HTTP, timeout, bad JSON) is the key set's.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        throw new KeySetUnreachable(error);
      }
    };
    this.claimNames = {
      adminRole: options.adminRole ?? 'Workspace.Admin',
      editorRole: options.editorRole ?? 'Workspace.Editor',
      organizationClaim: options.organizationClaim ?? 'org_ids',
    };
  }

  async authenticate(authorization: string | null): Promise<Authentication> {
    if (authorization === null || authorization.trim() === '') {
      return { ok: false, code: 'MissingToken', message: 'no bearer token: send "Authorization: Bearer <token>"' };
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      return { ok: false, code: 'InvalidToken', message: 'Authorization header is not "Bearer <token>"' };
    }
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: [...this.options.issuers],
        audience: [...this.options.audiences],
        clockTolerance: this.options.clockToleranceSeconds,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      const principal = principalFromClaims(payload, this.claimNames);
      if (principal === null) return { ok: false, code: 'InvalidToken', message: 'token names no subject (oid or sub)' };
      return { ok: true, principal };
    } catch (error) {
      if (error instanceof KeySetUnreachable) {
        throw new AuthenticationUnavailableError(`cannot validate tokens: the signing key set at ${this.options.jwksUrl} could not be read (${error.reason})`, {
          cause: error.cause,
        });
      }
      const failure = tokenFailure(error);
      if (failure === null) throw error;
      return failure;
    }
  }
}
