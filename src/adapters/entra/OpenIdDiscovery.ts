import { z } from 'zod';

/** What a resource API needs from a tenant's OpenID discovery document. */
export interface TenantTrust {
  /** Accepted `iss` values: the document's issuer (which names the tenant by GUID) and its v1 twin. */
  readonly issuers: readonly string[];
  readonly jwksUrl: string;
}

/** Raised when the discovery document could not be read (not the token's fault). */
export class DiscoveryUnreachable extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the OpenID configuration could not be read (${reason})`, options);
    this.name = 'DiscoveryUnreachable';
  }
}

const discoveryDocument = z.object({ issuer: z.url(), jwks_uri: z.url() });

// Entra's v2 issuer: https://login.microsoftonline.com/<tenant GUID>/v2.0. Resources whose app
// registration still asks for v1 tokens receive https://sts.windows.net/<tenant GUID>/ instead.
const PUBLIC_CLOUD_V2_ISSUER =
  /^https:\/\/login\.microsoftonline\.com\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0$/i;

/**
 * Reads `{authority}/v2.0/.well-known/openid-configuration` once and keeps it for the life of the
 * process: a tenant's issuer never changes, and its key set URL is refetched by jose on its own. A
 * failed read is not kept, so the next request tries again; concurrent requests share one read.
 */
export class OpenIdDiscovery {
  private trust: Promise<TenantTrust> | undefined;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  resolve(): Promise<TenantTrust> {
    this.trust ??= this.read();
    const current = this.trust;
    current.catch(() => {
      if (this.trust === current) this.trust = undefined;
    });
    return current;
  }

  private async read(): Promise<TenantTrust> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const reason =
        (error as Error).name === 'TimeoutError'
          ? 'no answer in time'
          : typeof code === 'string'
            ? code
            : String(error);
      throw new DiscoveryUnreachable(reason, { cause: error });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new DiscoveryUnreachable(`HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new DiscoveryUnreachable('the answer is not JSON', { cause: error });
    }
    const parsed = discoveryDocument.safeParse(body);
    if (!parsed.success) throw new DiscoveryUnreachable('the answer has no issuer and jwks_uri URLs');
    const { issuer, jwks_uri: jwksUrl } = parsed.data;
    const tenantGuid = PUBLIC_CLOUD_V2_ISSUER.exec(issuer)?.[1];
    return {
      issuers: tenantGuid === undefined ? [issuer] : [issuer, `https://sts.windows.net/${tenantGuid}/`],
      jwksUrl,
    };
  }
}
