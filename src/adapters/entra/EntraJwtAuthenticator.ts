import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type Authentication, AuthenticationUnavailableError, type Authenticator } from '../../ports/Authenticator';
import { DiscoveryUnreachable, OpenIdDiscovery } from './OpenIdDiscovery';
import { type ClaimNames, principalFromClaims } from './principalFromClaims';
import { KeySetUnreachable, tokenFailure } from './tokenFailure';

export interface EntraJwtAuthenticatorOptions {
  /**
   * Accepted `iss` values: `https://login.microsoftonline.com/<tenant GUID>/v2.0` and/or
   * `https://sts.windows.net/<tenant GUID>/`. Unset: the issuer of the discovery document.
   */
  readonly issuers?: readonly string[];
  /** Accepted `aud` values: the API's client id and/or its App ID URI. */
  readonly audiences: readonly string[];
  /** The tenant's key set, e.g. `https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys`. Unset: the discovery document's `jwks_uri`. */
  readonly jwksUrl?: string;
  /**
   * `<authority>/v2.0/.well-known/openid-configuration`, read once when `issuers` or `jwksUrl` is
   * unset: a tenant named by its domain is only known by GUID in the tokens' `iss`.
   */
  readonly discoveryUrl?: string;
  readonly clockToleranceSeconds: number;
  readonly adminRole?: string;
  readonly editorRole?: string;
  readonly organizationClaim?: string;
  /** App role values `<prefix><organisation id>` grant that organisation (default `Org.`). */
  readonly organizationRolePrefix?: string;
  /** Timeout of the key set and discovery reads. */
  readonly jwksTimeoutMs?: number;
  /** Least time between two key set fetches caused by an unknown `kid` (jose's default, 30 s). */
  readonly jwksCooldownMs?: number;
}

// Entra signs access tokens with RS256 only; accepting anything else only widens the attack surface.
const ALGORITHMS = ['RS256'];
const BEARER = /^Bearer +(\S+) *$/i;
const INCOMPLETE_TRUST = 'EntraJwtAuthenticator needs issuers and a key set URL, or a discovery URL';

/** Validates Entra ID bearer tokens against the tenant's published signing keys. */
export class EntraJwtAuthenticator implements Authenticator {
  readonly mode = 'entra';
  private readonly discovery: OpenIdDiscovery | null;
  private readonly claimNames: ClaimNames;
  private keySet: { readonly url: string; readonly keys: JWTVerifyGetKey } | undefined;

  constructor(private readonly options: EntraJwtAuthenticatorOptions) {
    if (options.issuers?.length === 0) throw new TypeError('EntraJwtAuthenticator needs at least one issuer');
    if (options.audiences.length === 0) throw new TypeError('EntraJwtAuthenticator needs at least one audience');
    if (options.issuers !== undefined && options.jwksUrl !== undefined) this.discovery = null;
    else if (options.discoveryUrl !== undefined)
      this.discovery = new OpenIdDiscovery(options.discoveryUrl, options.jwksTimeoutMs ?? 5000);
    else throw new TypeError(INCOMPLETE_TRUST);
    this.claimNames = {
      adminRole: options.adminRole ?? 'Workspace.Admin',
      editorRole: options.editorRole ?? 'Workspace.Editor',
      organizationClaim: options.organizationClaim ?? 'org_ids',
      organizationRolePrefix: options.organizationRolePrefix ?? 'Org.',
    };
  }

  /** The issuers and key set to trust: as configured, else from the discovery document (read once). */
  private async trust(): Promise<{
    readonly issuers: readonly string[];
    readonly keys: JWTVerifyGetKey;
    readonly jwksUrl: string;
  }> {
    const configured = this.options;
    if (configured.issuers !== undefined && configured.jwksUrl !== undefined) {
      return { issuers: configured.issuers, jwksUrl: configured.jwksUrl, keys: this.keysAt(configured.jwksUrl) };
    }
    // The constructor refuses options that are neither complete nor discoverable.
    if (this.discovery === null) throw new TypeError(INCOMPLETE_TRUST);
    const discovered = await this.discovery.resolve();
    const issuers = configured.issuers ?? discovered.issuers;
    const jwksUrl = configured.jwksUrl ?? discovered.jwksUrl;
    return { issuers, jwksUrl, keys: this.keysAt(jwksUrl) };
  }

  private keysAt(url: string): JWTVerifyGetKey {
    if (this.keySet?.url === url) return this.keySet.keys;
    // One cached key set per authenticator: jose refetches it on an unknown kid, at most once per cooldown.
    const remote = createRemoteJWKSet(new URL(url), {
      timeoutDuration: this.options.jwksTimeoutMs ?? 5000,
      ...(this.options.jwksCooldownMs === undefined ? {} : { cooldownDuration: this.options.jwksCooldownMs }),
    });
    const keys: JWTVerifyGetKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // No key for this kid is the token's fault; anything else (HTTP, timeout, bad JSON) is the key set's.
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        throw new KeySetUnreachable(error);
      }
    };
    this.keySet = { url, keys };
    return keys;
  }

  async authenticate(authorization: string | null): Promise<Authentication> {
    if (authorization === null || authorization.trim() === '') {
      return { ok: false, code: 'MissingToken', message: 'no bearer token: send "Authorization: Bearer <token>"' };
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      return { ok: false, code: 'InvalidToken', message: 'Authorization header is not "Bearer <token>"' };
    }
    let jwksUrl = this.options.jwksUrl ?? this.options.discoveryUrl ?? '';
    try {
      const trust = await this.trust();
      jwksUrl = trust.jwksUrl;
      const { payload } = await jwtVerify(token, trust.keys, {
        issuer: [...trust.issuers],
        audience: [...this.options.audiences],
        clockTolerance: this.options.clockToleranceSeconds,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      const principal = principalFromClaims(payload, this.claimNames);
      if (principal === null)
        return { ok: false, code: 'InvalidToken', message: 'token names no subject (oid or sub)' };
      return { ok: true, principal };
    } catch (error) {
      if (error instanceof DiscoveryUnreachable) {
        throw new AuthenticationUnavailableError(
          `cannot validate tokens: the tenant's OpenID configuration at ${this.options.discoveryUrl} could not be read (${error.reason})`,
          { cause: error.cause },
        );
      }
      if (error instanceof KeySetUnreachable) {
        throw new AuthenticationUnavailableError(
          `cannot validate tokens: the signing key set at ${jwksUrl} could not be read (${error.reason})`,
          {
            cause: error.cause,
          },
        );
      }
      const failure = tokenFailure(error);
      if (failure === null) throw error;
      return failure;
    }
  }
}
