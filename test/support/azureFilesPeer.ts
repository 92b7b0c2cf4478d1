import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorXml, listingXml } from './azure-files-peer/listingXml';
import { componentsOf } from './azure-files-peer/names';
import { errors, ServiceError } from './azure-files-peer/serviceErrors';
import { verifySharedKey } from './azure-files-peer/sharedKey';
import { type PeerFile, type PeerNode, PeerShare, touch } from './azure-files-peer/shareTree';

/** The storage emulators' well-known development account (public, documented by Microsoft). */
const DEV_ACCOUNT_NAME = 'devstoreaccount1';
const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Put Range writes at most 4 MiB per request (REST reference, Put Range). */
const MAX_RANGE_BYTES = 4 * 1024 * 1024;
/** List Directories and Files returns at most 5,000 entries per call. */
const SERVICE_MAX_RESULTS = 5000;

export interface AzureFilesPeerOptions {
  /** Most entries one list call returns even when the caller asks for more (default 5,000, as the service). */
  readonly maxResultsCap?: number;
}

export interface AzureFilesPeerRequest {
  readonly method: string;
  /** Share-relative path, decoded ('' for the share root). */
  readonly path: string;
  readonly restype: string | null;
  readonly comp: string | null;
  /** The `marker` query parameter of a list call. */
  readonly marker: string | null;
  readonly maxResults: string | null;
  readonly status: number;
  readonly errorCode: string | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface InjectedFault {
  readonly status: number;
  readonly code: string;
  /** Only requests this matches fail (default: every request). */
  readonly when?: (request: { method: string; path: string; comp: string | null; restype: string | null }) => boolean;
}

/**
 * An Azure Files REST endpoint on 127.0.0.1, path-style (`http://127.0.0.1:<port>/devstoreaccount1`),
 * enough for `@azure/storage-file-share` to drive a FileStore. It follows Microsoft's REST reference
 * for: Create/Delete/Get Share Properties; Create/Delete/Get Directory Properties; List Directories
 * and Files (prefix, marker/NextMarker, maxresults capped at 5,000 or `maxResultsCap`,
 * include=Timestamps); Create File (x-ms-type: file, x-ms-content-length); Put Range (x-ms-write:
 * update, at most 4 MiB, inside the file's size; `clear` too); Set File Properties (only its resize,
 * x-ms-content-length); Get File with and without x-ms-range/Range (206 + Content-Range), Get File
 * Properties (HEAD); Delete File; Rename File and Rename Directory (x-ms-file-rename-source as a URL,
 * x-ms-file-rename-replace-if-exists; a directory is never replaced). Errors carry `x-ms-error-code`
 * and the XML <Error> body with the documented status. Names follow the service's rules (see
 * azure-files-peer/names.ts): case-insensitive and case-preserving, reserved characters and names
 * refused with 400 InvalidResourceName, long paths with 400 InvalidFileOrDirectoryPathName.
 *
 * Every request must carry a valid Shared Key signature for the development account (checked, not
 * just accepted). Not implemented (answered 400 UnsupportedQueryParameter): SAS and bearer tokens,
 * leases, metadata, SMB properties and permissions, snapshots, handles, copy, Put Range From URL,
 * List Ranges, share properties other than existence, conditional headers, CRC64/MD5 checks.
 *
 * One quirk of the SDK is met rather than refused: for Rename, `@azure/storage-file-share` builds the
 * destination URL as `/<share>/<path>` even from a path-style client URL, dropping the account segment.
 * The peer therefore also takes a first segment that is not the account name as the share, as a
 * production-style endpoint (`<account>.file.core.windows.net/<share>/...`) would. The signature is
 * still checked over the path the SDK sent.
 */
export class AzureFilesPeer {
  readonly requests: AzureFilesPeerRequest[] = [];
  private readonly shares = new Map<string, PeerShare>();
  private readonly faults: Array<InjectedFault & { remaining: number }> = [];

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly serviceUrl: string,
    private readonly options: AzureFilesPeerOptions,
  ) {}

  static async start(options: AzureFilesPeerOptions = {}): Promise<AzureFilesPeer> {
    let peer: AzureFilesPeer | undefined;
    const server = createServer((request, response) => {
      void peer!.handle(request, response);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    peer = new AzureFilesPeer(server, `http://127.0.0.1:${port}/${DEV_ACCOUNT_NAME}`, options);
    return peer;
  }

  get connectionString(): string {
    return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};FileEndpoint=${this.serviceUrl};`;
  }

  /** A connection string for the same endpoint with another key: every request fails to authenticate. */
  connectionStringWithKey(accountKey: string): string {
    return this.connectionString.replace(DEV_ACCOUNT_KEY, accountKey);
  }

  /** Creates a share directly, as an administrator would have. */
  createShare(name: string): void {
    this.shares.set(name, new PeerShare(name));
  }

  /** Every path stored in a share ('dir/' for directories), sorted. */
  paths(shareName: string): string[] {
    return this.shares.get(shareName)?.paths() ?? [];
  }

  /** The next `times` requests matching `fault.when` are answered with `fault`'s status and code. */
  failNext(times: number, fault: InjectedFault): void {
    this.faults.push({ ...fault, remaining: times });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://peer');
    const method = request.method ?? 'GET';
    const restype = url.searchParams.get('restype');
    const comp = url.searchParams.get('comp');
    const segments = url.pathname.split('/').slice(1).map(decodeSegment);
    const rest = segments[0] === DEV_ACCOUNT_NAME ? segments.slice(1) : segments;
    const shareName = rest[0] ?? '';
    const path = rest.slice(1).join('/');
    let status = 500;
    let errorCode: string | null = null;
    try {
      const body = await readBody(request);
      verifySharedKey(request, DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY);
      const fault = this.takeFault({ method, path, comp, restype });
      if (fault) throw new ServiceError(fault.status, fault.code, `Injected by the test: ${fault.code}.`);
      const answer = this.route({ request, method, url, restype, comp, shareName, path, body });
      status = answer.status;
      response.writeHead(answer.status, { ...this.commonHeaders(request), ...answer.headers });
      response.end(method === 'HEAD' ? undefined : answer.body);
    } catch (error) {
      const failure = error instanceof ServiceError ? error : new ServiceError(500, 'InternalError', String(error));
      status = failure.status;
      errorCode = failure.code;
      const body = errorXml(failure.code, failure.message);
      if (!response.headersSent) {
        response.writeHead(failure.status, {
          ...this.commonHeaders(request),
          'x-ms-error-code': failure.code,
          'content-type': 'application/xml',
          ...(method === 'HEAD' ? {} : { 'content-length': Buffer.byteLength(body) }),
        });
      }
      response.end(method === 'HEAD' ? undefined : body);
    } finally {
      this.requests.push({
        method,
        path: shareName === '' ? '' : `${shareName}/${path}`.replace(/\/$/, ''),
        restype,
        comp,
        marker: url.searchParams.get('marker'),
        maxResults: url.searchParams.get('maxresults'),
        status,
        errorCode,
        headers: request.headers,
      });
    }
  }

  private takeFault(request: {
    method: string;
    path: string;
    comp: string | null;
    restype: string | null;
  }): InjectedFault | null {
    const index = this.faults.findIndex((fault) => fault.when?.(request) ?? true);
    if (index < 0) return null;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private commonHeaders(request: IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {
      'x-ms-request-id': randomUUID(),
      'x-ms-version': String(request.headers['x-ms-version'] ?? ''),
      date: new Date().toUTCString(),
    };
    const clientRequestId = request.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') headers['x-ms-client-request-id'] = clientRequestId;
    return headers;
  }

  private route(input: RouteInput): Answer {
    const { method, restype, comp } = input;
    if (restype === 'share') return this.shareOperation(input);
    const share = this.shares.get(input.shareName);
    if (!share) throw errors.shareNotFound();
    const components = componentsOf(input.path, {
      allowTrailingDot: input.request.headers['x-ms-allow-trailing-dot'] === 'true',
    });
    if (restype === 'directory') {
      if (comp === 'list' && method === 'GET') return this.listDirectory(share, components, input);
      if (comp === 'rename' && method === 'PUT') return this.rename('directory', share, components, input);
      if (comp === null && method === 'PUT') return nodeAnswer(201, share.createDirectory(components));
      if (comp === null && (method === 'GET' || method === 'HEAD')) return nodeAnswer(200, share.directory(components));
      if (comp === null && method === 'DELETE') {
        share.deleteDirectory(components);
        return { status: 202, headers: {} };
      }
      throw errors.unsupported(`${method} restype=directory comp=${comp}`);
    }
    if (restype !== null) throw errors.unsupported(`restype=${restype}`);
    if (comp === 'range' && method === 'PUT') return this.putRange(share.file(components), input);
    if (comp === 'properties' && method === 'PUT') return this.setFileProperties(share.file(components), input);
    if (comp === 'rename' && method === 'PUT') return this.rename('file', share, components, input);
    if (comp !== null) throw errors.unsupported(`comp=${comp}`);
    if (method === 'PUT') {
      if (String(input.request.headers['x-ms-type'] ?? '').toLowerCase() !== 'file')
        throw errors.missingHeader('x-ms-type');
      const size = Number(input.request.headers['x-ms-content-length']);
      if (!Number.isSafeInteger(size) || size < 0 || size > 4 * 1024 ** 4)
        throw errors.invalidHeaderValue('x-ms-content-length');
      return nodeAnswer(201, share.createFile(components, size));
    }
    if (method === 'GET') return this.getFile(share.file(components), input);
    if (method === 'HEAD') return fileProperties(share.file(components));
    if (method === 'DELETE') {
      share.deleteFile(components);
      return { status: 202, headers: {} };
    }
    throw errors.unsupported(method);
  }

  private shareOperation({ method, comp, shareName, path }: RouteInput): Answer {
    if (path !== '' || comp !== null) throw errors.unsupported(`share operation comp=${comp}`);
    if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(shareName)) {
      throw new ServiceError(400, 'InvalidResourceName', 'The specifed resource name contains invalid characters.');
    }
    const share = this.shares.get(shareName);
    if (method === 'PUT') {
      if (share) throw errors.shareAlreadyExists();
      this.createShare(shareName);
      return nodeAnswer(201, this.shares.get(shareName)!.root);
    }
    if (!share) throw errors.shareNotFound();
    if (method === 'GET' || method === 'HEAD')
      return {
        ...nodeAnswer(200, share.root),
        headers: { ...nodeAnswer(200, share.root).headers, 'x-ms-share-quota': '100' },
      };
    if (method === 'DELETE') {
      this.shares.delete(shareName);
      return { status: 202, headers: {} };
    }
    throw errors.unsupported(`${method} restype=share`);
  }

  private listDirectory(share: PeerShare, components: string[], { url, request, shareName, path }: RouteInput): Answer {
    const directory = share.directory(components);
    const asked = url.searchParams.get('maxresults');
    let maxResults = SERVICE_MAX_RESULTS;
    if (asked !== null) {
      const value = Number(asked);
      if (!Number.isInteger(value) || value <= 0) throw errors.outOfRange('maxresults');
      maxResults = Math.min(value, SERVICE_MAX_RESULTS);
    }
    maxResults = Math.min(maxResults, this.options.maxResultsCap ?? SERVICE_MAX_RESULTS);
    const prefix = url.searchParams.get('prefix');
    const marker = url.searchParams.get('marker');
    const page = share.list(directory, { prefix: prefix ?? '', marker: marker ?? '', maxResults });
    const include = (url.searchParams.get('include') ?? '').split(',');
    const body = listingXml({
      serviceEndpoint: `${this.serviceUrl}/`,
      shareName,
      directoryPath: path,
      directoryId: directory.id,
      prefix,
      marker,
      maxResults: asked === null ? null : Number(asked),
      entries: page.entries,
      nextMarker: page.nextMarker,
      timestamps: include.includes('Timestamps') || request.headers['x-ms-file-extended-info'] === 'true',
    });
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) },
      body,
    };
  }

  private rename(kind: PeerNode['kind'], share: PeerShare, destination: string[], { request }: RouteInput): Answer {
    const sourceHeader = request.headers['x-ms-file-rename-source'];
    if (typeof sourceHeader !== 'string' || sourceHeader === '') throw errors.missingHeader('x-ms-file-rename-source');
    const sourceSegments = (
      /^https?:\/\//i.test(sourceHeader) ? new URL(sourceHeader).pathname : `/${share.name}/${sourceHeader}`
    )
      .split('/')
      .slice(1)
      .map(decodeSegment);
    const sourceRest = sourceSegments[0] === DEV_ACCOUNT_NAME ? sourceSegments.slice(1) : sourceSegments;
    if (sourceRest[0] !== share.name) throw errors.invalidHeaderValue('x-ms-file-rename-source (another share)');
    const source = componentsOf(sourceRest.slice(1).join('/'), {
      allowTrailingDot: request.headers['x-ms-source-allow-trailing-dot'] === 'true',
    });
    const replace = String(request.headers['x-ms-file-rename-replace-if-exists'] ?? 'false').toLowerCase() === 'true';
    return nodeAnswer(200, share.rename(kind, source, destination, replace));
  }

  private putRange(file: PeerFile, { request, body }: RouteInput): Answer {
    const range = parseRange(String(request.headers['x-ms-range'] ?? request.headers.range ?? ''));
    if (range === null || range.end === null) throw errors.invalidHeaderValue('x-ms-range');
    const length = range.end - range.start + 1;
    if (range.end >= file.content.length) throw errors.invalidRange();
    const write = String(request.headers['x-ms-write'] ?? '');
    if (write === 'clear') {
      file.content.fill(0, range.start, range.end + 1);
    } else if (write === 'update') {
      if (length > MAX_RANGE_BYTES) throw errors.requestBodyTooLarge();
      if (body.length !== length) throw errors.invalidHeaderValue('Content-Length (does not match the range)');
      body.copy(file.content, range.start);
    } else {
      throw errors.missingHeader('x-ms-write');
    }
    touch(file);
    return {
      status: 201,
      headers: {
        etag: file.etag,
        'last-modified': file.lastModified.toUTCString(),
        'x-ms-request-server-encrypted': 'true',
      },
    };
  }

  private setFileProperties(file: PeerFile, { request }: RouteInput): Answer {
    const sizeHeader = request.headers['x-ms-content-length'];
    if (sizeHeader !== undefined) {
      const size = Number(sizeHeader);
      if (!Number.isSafeInteger(size) || size < 0) throw errors.invalidHeaderValue('x-ms-content-length');
      const resized = Buffer.alloc(size);
      file.content.copy(resized, 0, 0, Math.min(size, file.content.length));
      file.content = resized;
    }
    touch(file);
    return nodeAnswer(200, file);
  }

  private getFile(file: PeerFile, { request }: RouteInput): Answer {
    const size = file.content.length;
    const rangeHeader = request.headers['x-ms-range'] ?? request.headers.range;
    const headers = { ...fileProperties(file).headers, 'accept-ranges': 'bytes' };
    if (rangeHeader === undefined) {
      // A copy taken now: later writes to this file never change an answer already under way.
      return { status: 200, headers, body: Buffer.from(file.content) };
    }
    const range = parseRange(String(rangeHeader));
    if (range === null) throw errors.invalidHeaderValue('x-ms-range');
    if (range.start >= size) throw errors.invalidRange();
    const end = Math.min(range.end ?? size - 1, size - 1);
    const body = Buffer.from(file.content.subarray(range.start, end + 1));
    return {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(body.length),
        'content-range': `bytes ${range.start}-${end}/${size}`,
      },
      body,
    };
  }
}

interface RouteInput {
  readonly request: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  readonly restype: string | null;
  readonly comp: string | null;
  readonly shareName: string;
  readonly path: string;
  readonly body: Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string;
}

function nodeAnswer(status: number, node: PeerNode): Answer {
  return {
    status,
    headers: {
      etag: node.etag,
      'last-modified': node.lastModified.toUTCString(),
      'x-ms-file-id': node.id,
      'x-ms-file-creation-time': node.createdAt.toISOString(),
      'x-ms-file-last-write-time': node.lastModified.toISOString(),
      'x-ms-file-change-time': node.lastModified.toISOString(),
      'x-ms-file-attributes': node.kind === 'file' ? 'Archive' : 'Directory',
      'content-length': '0',
    },
  };
}

function fileProperties(file: PeerFile): Answer {
  return {
    status: 200,
    headers: {
      ...nodeAnswer(200, file).headers,
      'x-ms-type': 'File',
      'content-type': 'application/octet-stream',
      'content-length': String(file.content.length),
    },
  };
}

function parseRange(value: string): { start: number; end: number | null } | null {
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim());
  if (!match) return null;
  const start = Number(match[1]);
  const end = match[2] === '' ? null : Number(match[2]);
  if (end !== null && end < start) return null;
  return { start, end };
}

/** A path segment decoded; one that is not valid percent-encoding is taken as it came (and fails the name rules). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
