import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { loopbackCertificate } from './selfSignedCertificate';

/**
 * A Key Vault-shaped secrets endpoint over HTTPS on 127.0.0.1, following Microsoft's REST reference
 * for Set Secret (PUT /secrets/{name}), Get Secret (GET /secrets/{name}/{version}), Delete Secret
 * (DELETE /secrets/{name}), Get Deleted Secret (GET /deletedsecrets/{name}) and Recover Deleted
 * Secret (POST /deletedsecrets/{name}/recover), its error bodies, and the challenge-based bearer
 * authentication the SDK performs: an unauthenticated request gets 401 with a `WWW-Authenticate`
 * challenge naming the tenant and resource, later requests carry `Bearer <token>`. Names are matched
 * case-insensitively, as Key Vault does.
 *
 * The vault soft-deletes (recovery level Recoverable+Purgeable, 90 days): a deleted secret answers
 * 404 to Get Secret, keeps its name taken (Set Secret answers 409 ObjectIsDeletedButRecoverable)
 * until recovered, and is never purged here. `holdDeletions(true)` keeps deletions in the state a
 * real vault passes through for a few seconds, where the deleted secret is not listed yet and the
 * name answers 409 ObjectIsBeingDeleted.
 */
export interface KeyVaultPeer {
  /** `https://127.0.0.1:<port>` (no trailing slash), what a SecretClient takes as vault URL. */
  readonly vaultUrl: string;
  /** PEM of the self-signed certificate the peer serves; trust it through `clientOptions()`. */
  readonly ca: string;
  /** The tenant the challenge names (`authorization="https://login.microsoftonline.com/<tenant>"`). */
  readonly tenantId: string;
  /** The one bearer token the peer accepts. */
  readonly token: string;
  /** Every request that reached the peer, in order. */
  readonly requests: readonly KeyVaultPeerRequest[];
  /** A credential returning the accepted token (or `token`, to present one the peer refuses). */
  credential(token?: string): FixedTokenCredential;
  /**
   * Client options for the real SDK: trust the peer's certificate (TLS options of the pipeline, not
   * a process-wide switch) and skip the SDK's check that the challenge resource's domain
   * (vault.azure.net) is a suffix of the vault's host, which 127.0.0.1 can never satisfy.
   */
  clientOptions(extra?: SecretClientOptions): SecretClientOptions;
  /** Stores a version directly, as if set earlier (a deleted secret of that name is forgotten). */
  seed(name: string, value: string): void;
  /** Where a name stands: live, being deleted, deleted (recoverable), or never known. */
  state(name: string): SecretState;
  /**
   * While on, a DELETE leaves the secret `deleting` (Get Deleted Secret 404, Set Secret and Recover
   * 409 ObjectIsBeingDeleted); turning it off lets every held deletion finish.
   */
  holdDeletions(hold: boolean): void;
  /** Down: every request is answered 503 ServiceUnavailable. */
  setAvailable(up: boolean): void;
  /**
   * The next `times` requests fail with `status`, then normal service resumes: 503 ServiceUnavailable,
   * 500 InternalServerError, or 429 Throttled with `Retry-After: 1` (as Key Vault throttles).
   */
  failNext(times: number, status?: TransientStatus): void;
  /** Forbidden: authenticated requests are answered 403, as when the identity has no role on the vault. */
  setForbidden(forbidden: boolean): void;
  close(): Promise<void>;
}

interface KeyVaultPeerRequest {
  readonly method: string;
  /** Path as sent (percent-encoded), without the query, e.g. `/secrets/github-token-acme/`. */
  readonly path: string;
  readonly apiVersion: string | null;
  /** Whether the request carried any Authorization header. */
  readonly authenticated: boolean;
  readonly status: number;
}

type TransientStatus = 429 | 500 | 503;

type SecretState = 'active' | 'deleting' | 'deleted' | 'absent';

interface SecretVersion {
  readonly name: string;
  readonly version: string;
  readonly value: string;
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly created: number;
  readonly updated: number;
}

interface Deletion {
  /** Seconds since the epoch, as Key Vault's dates go. */
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
  settled: boolean;
}

interface StoredSecret {
  readonly versions: SecretVersion[]; // newest last
  deletion?: Deletion;
}

interface Reply {
  readonly status: number;
  readonly json: unknown;
  readonly headers?: Record<string, string>;
}

/** Key Vault's rule for object names; the service answers 400 for others. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_BODY_BYTES = 1024 * 1024;
const RESOURCE = 'https://vault.azure.net';
const RECOVERABLE_DAYS = 90;
const NOT_FOUND_HINT =
  'If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182';

/** A TokenCredential that hands out one fixed token and records what it was asked for. */
class FixedTokenCredential implements TokenCredential {
  readonly requests: Array<{ readonly scopes: string[]; readonly tenantId?: string }> = [];

  constructor(private readonly token: string) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({ scopes: [scopes].flat(), ...(options?.tenantId ? { tenantId: options.tenantId } : {}) });
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: 'Bearer' };
  }
}

export async function startKeyVaultPeer(): Promise<KeyVaultPeer> {
  const { key, cert } = await loopbackCertificate();
  const tenantId = randomUUID();
  const token = `kv-test-${randomBytes(16).toString('hex')}`;
  const secrets = new Map<string, StoredSecret>(); // by lower-cased name
  let holdingDeletions = false;
  const requests: KeyVaultPeerRequest[] = [];
  let available = true;
  let failures = { times: 0, status: 503 as TransientStatus };
  let forbidden = false;
  let vaultUrl = '';

  const challenge = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${RESOURCE}"`;

  function store(
    name: string,
    value: string,
    extra: { contentType?: string; tags?: Record<string, string> } = {},
  ): SecretVersion {
    const now = Math.floor(Date.now() / 1000);
    const versions = secrets.get(name.toLowerCase())?.versions ?? [];
    // The service keeps the name's spelling from its first version.
    const version: SecretVersion = {
      name: versions[0]?.name ?? name,
      version: randomBytes(16).toString('hex'),
      value,
      created: now,
      updated: now,
      ...extra,
    };
    secrets.set(name.toLowerCase(), { versions: [...versions, version] });
    return version;
  }

  /** The newest version of a secret that is not deleted. */
  function live(name: string): StoredSecret | undefined {
    const found = secrets.get(name.toLowerCase());
    return found && !found.deletion ? found : undefined;
  }

  function stateOf(name: string): SecretState {
    const found = secrets.get(name.toLowerCase());
    if (!found) return 'absent';
    if (!found.deletion) return 'active';
    return found.deletion.settled ? 'deleted' : 'deleting';
  }

  function bundle(secret: SecretVersion, withValue = true): Record<string, unknown> {
    return {
      ...(withValue ? { value: secret.value } : {}),
      ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
      id: `${vaultUrl}/secrets/${secret.name}/${secret.version}`,
      attributes: {
        enabled: true,
        created: secret.created,
        updated: secret.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: RECOVERABLE_DAYS,
      },
      ...(secret.tags === undefined ? {} : { tags: secret.tags }),
    };
  }

  /** A DeletedSecretBundle: the latest version's bundle, without its value, plus the deletion. */
  function deletedBundle(stored: StoredSecret, deletion: Deletion): Record<string, unknown> {
    const latest = stored.versions.at(-1)!;
    return {
      recoveryId: `${vaultUrl}/deletedsecrets/${latest.name}`,
      deletedDate: deletion.deletedDate,
      scheduledPurgeDate: deletion.scheduledPurgeDate,
      ...bundle(latest, false),
    };
  }

  function route(method: string, path: string, body: string): Reply {
    const deleted = /^\/deletedsecrets\/([^/]*)(\/recover)?$/.exec(path);
    if (deleted) {
      const name = decodePathSegment(deleted[1] ?? '');
      if (!SECRET_NAME.test(name))
        return error(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
      if (deleted[2] === undefined && method === 'GET') return getDeletedSecret(name);
      if (deleted[2] !== undefined && method === 'POST') return recoverDeletedSecret(name);
      return error(405, 'MethodNotAllowed', `The method ${method} is not allowed on ${path}.`);
    }
    const match = /^\/secrets\/([^/]*)(?:\/([^/]*))?$/.exec(path);
    if (!match) return error(404, 'NotFound', `The requested resource ${path} was not found.`);
    const [name, version] = [match[1] ?? '', match[2] ?? ''].map(decodePathSegment) as [string, string];
    if (!SECRET_NAME.test(name)) return error(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
    if (method === 'PUT' && match[2] === undefined) return setSecret(name, body);
    if (method === 'DELETE' && match[2] === undefined) return deleteSecret(name);
    if (method === 'GET') return getSecret(name, version);
    return error(405, 'MethodNotAllowed', `The method ${method} is not allowed on ${path}.`);
  }

  function setSecret(name: string, body: string): Reply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return error(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    const { value, contentType, tags } = (parsed ?? {}) as { value?: unknown; contentType?: unknown; tags?: unknown };
    if (typeof value !== 'string') return error(400, 'BadParameter', 'Property value is required.');
    const state = stateOf(name);
    if (state === 'deleting') return beingDeleted(name);
    if (state === 'deleted') {
      return error(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        {},
        'ObjectIsDeletedButRecoverable',
      );
    }
    const extra = {
      ...(typeof contentType === 'string' ? { contentType } : {}),
      ...(tags && typeof tags === 'object' ? { tags: tags as Record<string, string> } : {}),
    };
    return { status: 200, json: bundle(store(name, value, extra)) };
  }

  function getSecret(name: string, version: string): Reply {
    const versions = live(name)?.versions ?? [];
    const found = version === '' ? versions.at(-1) : versions.find((candidate) => candidate.version === version);
    if (!found) {
      const what = version === '' ? name : `${name}/${version}`;
      return error(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${what} was not found in this key vault. ${NOT_FOUND_HINT}`,
      );
    }
    return { status: 200, json: bundle(found) };
  }

  function deleteSecret(name: string): Reply {
    if (stateOf(name) === 'deleting') return beingDeleted(name);
    const stored = live(name);
    if (!stored)
      return error(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name} was not found in this key vault. ${NOT_FOUND_HINT}`,
      );
    const now = Math.floor(Date.now() / 1000);
    const deletion: Deletion = {
      deletedDate: now,
      scheduledPurgeDate: now + RECOVERABLE_DAYS * 86_400,
      settled: !holdingDeletions,
    };
    stored.deletion = deletion;
    return { status: 200, json: deletedBundle(stored, deletion) };
  }

  function getDeletedSecret(name: string): Reply {
    const stored = secrets.get(name.toLowerCase());
    if (!stored?.deletion?.settled) return error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return { status: 200, json: deletedBundle(stored, stored.deletion) };
  }

  function recoverDeletedSecret(name: string): Reply {
    if (stateOf(name) === 'deleting') return beingDeleted(name);
    const stored = secrets.get(name.toLowerCase());
    if (!stored?.deletion) return error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    delete stored.deletion;
    return { status: 200, json: bundle(stored.versions.at(-1)!, false) };
  }

  function beingDeleted(name: string): Reply {
    return error(
      409,
      'Conflict',
      `Secret ${name} is currently being deleted and cannot be re-created; retry later.`,
      {},
      'ObjectIsBeingDeleted',
    );
  }

  function authorize(header: string | undefined): Reply | null {
    if (!header)
      return error(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', {
        'www-authenticate': challenge,
      });
    if (header !== `Bearer ${token}`)
      return error(401, 'Unauthorized', 'AKV10022: Invalid audience or token.', { 'www-authenticate': challenge });
    if (forbidden) {
      return error(
        403,
        'Forbidden',
        'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
        {},
        'ForbiddenByRbac',
      );
    }
    return null;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const apiVersion = url.searchParams.get('api-version');
    const body = await readBody(request);
    let reply: Reply;
    if (!available) {
      reply = transientFailure(503);
    } else if (failures.times > 0) {
      failures = { ...failures, times: failures.times - 1 };
      reply = transientFailure(failures.status);
    } else if (body === null) {
      reply = error(413, 'RequestEntityTooLarge', 'The request body is too large.');
    } else {
      reply =
        authorize(request.headers.authorization) ??
        (apiVersion
          ? route(method, path, body)
          : error(400, 'BadParameter', "The request is missing the required 'api-version' query parameter."));
    }
    requests.push({
      method,
      path,
      apiVersion,
      authenticated: request.headers.authorization !== undefined,
      status: reply.status,
    });
    response.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      'x-ms-request-id': randomUUID(),
      'x-ms-keyvault-service-version': '1.9.0.0',
      ...reply.headers,
    });
    response.end(JSON.stringify(reply.json));
  }

  const server = createServer({ key, cert }, (request, response) => {
    handle(request, response).catch((thrown: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'InternalError', message: String(thrown) } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  vaultUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    vaultUrl,
    ca: cert,
    tenantId,
    token,
    requests,
    credential: (presented = token) => new FixedTokenCredential(presented),
    clientOptions: (extra = {}) => ({
      ...extra,
      tlsOptions: { ca: cert, ...extra.tlsOptions },
      disableChallengeResourceVerification: true,
    }),
    seed: (name, value) => {
      if (secrets.get(name.toLowerCase())?.deletion) secrets.delete(name.toLowerCase());
      store(name, value);
    },
    state: stateOf,
    holdDeletions: (hold) => {
      holdingDeletions = hold;
      if (hold) return;
      for (const stored of secrets.values()) if (stored.deletion) stored.deletion.settled = true;
    },
    setAvailable: (up) => {
      available = up;
    },
    failNext: (times, status = 503) => {
      failures = { times, status };
    },
    setForbidden: (value) => {
      forbidden = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
  };
}

function transientFailure(status: TransientStatus): Reply {
  if (status === 429) {
    return error(
      429,
      'Throttled',
      'Request was not processed because too many requests were received. Reason: A generic throttling limit was reached.',
      { 'retry-after': '1' },
    );
  }
  if (status === 500) return error(500, 'InternalServerError', 'An unexpected error occurred.');
  return error(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry the request.');
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes: the name check refuses it
  }
}

function error(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  innerCode?: string,
): Reply {
  return {
    status,
    headers,
    json: { error: { code, message, ...(innerCode ? { innererror: { code: innerCode } } : {}) } },
  };
}

/** The request body as text, or null when it is larger than the peer takes. */
async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
}
