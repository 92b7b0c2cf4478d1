import { ApiError, apiErrorFromText, apiErrorOf, fetchOrNetworkError } from './ApiError';
import type {
  Backup,
  ClientConfig,
  Connected,
  Connection,
  ConnectRequest,
  DeadLetters,
  Disconnected,
  FileContent,
  Me,
  Preview,
  Readiness,
  ReplayResult,
  SavedFile,
  SyncQueued,
  SyncRun,
  SyncRunPage,
  TreeEntry,
  Updated,
  UpdateRequest,
  WorkspaceStatus,
} from './types';

/** Gives the bearer token for the next call; null in development mode (no sign-in). */
export type TokenSource = () => Promise<string | null>;

interface RequestOptions {
  readonly scope?: string;
  readonly query?: Record<string, string | undefined>;
  readonly json?: unknown;
  readonly body?: Blob | ArrayBuffer | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export interface Download {
  readonly blob: Blob;
  readonly fileName: string;
}

const JSON_TYPE = 'application/json';

/** Fetches the sign-in settings; the only call made before a token can exist. */
export async function fetchClientConfig(base = ''): Promise<ClientConfig> {
  const response = await fetchOrNetworkError(`${base}/api/client-config`, { headers: { accept: JSON_TYPE } });
  if (!response.ok) throw await apiErrorOf(response);
  return (await response.json()) as ClientConfig;
}

/**
 * The workspace-sync HTTP API, typed from its OpenAPI document. Every call carries the bearer token
 * (when signed in) and the scope header; JSON bodies are sent as `application/json`; refusals throw
 * an ApiError with the API's own code and message.
 */
export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '',
  ) {}

  me(): Promise<Me> {
    return this.json('GET', '/api/me');
  }

  status(scope: string): Promise<WorkspaceStatus> {
    return this.json('GET', '/api/workspace/status', { scope });
  }

  async tree(
    scope: string,
    path: string,
    options: { recursive?: boolean; signal?: AbortSignal } = {},
  ): Promise<TreeEntry[]> {
    const answer = await this.json<{ entries: TreeEntry[] }>('GET', '/api/workspace/tree', {
      scope,
      query: { path, recursive: options.recursive ? 'true' : undefined },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return answer.entries;
  }

  readFile(scope: string, path: string): Promise<FileContent> {
    return this.json('GET', '/api/workspace/files', { scope, query: { path } });
  }

  /** Saves text; `etag` = replace exactly that version (412 when it changed), null = create only. */
  saveText(scope: string, path: string, content: string, etag: string | null | undefined): Promise<SavedFile> {
    return this.json('PUT', '/api/workspace/files', {
      scope,
      query: { path },
      json: { content, encoding: 'utf8' },
      headers: preconditionHeaders(etag),
    });
  }

  /** Uploads bytes as they are; without `overwrite` the file must not exist yet. */
  upload(scope: string, path: string, bytes: Blob, overwrite: boolean): Promise<SavedFile> {
    return this.json('PUT', '/api/workspace/files', {
      scope,
      query: { path },
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', ...(overwrite ? {} : { 'if-none-match': '*' }) },
    });
  }

  async deleteFile(scope: string, path: string, etag?: string): Promise<void> {
    await this.send('DELETE', '/api/workspace/files', {
      scope,
      query: { path },
      headers: etag ? { 'if-match': `"${etag}"` } : {},
    });
  }

  async createFolder(scope: string, path: string): Promise<void> {
    await this.send('POST', '/api/workspace/folders', { scope, query: { path } });
  }

  async deleteFolder(scope: string, path: string): Promise<void> {
    await this.send('DELETE', '/api/workspace/folders', { scope, query: { path, recursive: 'true' } });
  }

  async move(scope: string, from: string, to: string, overwrite = false): Promise<void> {
    await this.send('POST', '/api/workspace/move', { scope, json: { from, to, overwrite } });
  }

  downloadFile(scope: string, path: string): Promise<Download> {
    return this.download(
      '/api/workspace/files',
      { scope, query: { path }, headers: { accept: 'application/octet-stream' } },
      path.split('/').pop() ?? 'file',
    );
  }

  downloadZip(scope: string, all: boolean, onProgress?: (bytes: number) => void): Promise<Download> {
    return this.download(
      '/api/workspace/download',
      { scope, query: { all: all ? 'true' : undefined } },
      'workspace.zip',
      onProgress,
    );
  }

  async getConnection(scope: string): Promise<Connection | null> {
    try {
      return await this.json<Connection>('GET', `/api/github-connections/${encodeURIComponent(scope)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  connect(scope: string, request: ConnectRequest): Promise<Connected> {
    return this.json('POST', '/api/github-connections', { scope, json: request });
  }

  preview(scope: string, proposed?: Omit<ConnectRequest, 'confirmOverwrite'>): Promise<Preview> {
    return this.json(
      'POST',
      `/api/github-connections/${encodeURIComponent(scope)}/preview`,
      proposed ? { json: proposed } : {},
    );
  }

  update(scope: string, change: UpdateRequest): Promise<Updated> {
    return this.json('PATCH', `/api/github-connections/${encodeURIComponent(scope)}`, { json: change });
  }

  disconnect(scope: string): Promise<Disconnected> {
    return this.json('DELETE', `/api/github-connections/${encodeURIComponent(scope)}`);
  }

  syncNow(scope: string): Promise<SyncQueued> {
    return this.json('POST', `/api/github-connections/${encodeURIComponent(scope)}/sync`);
  }

  syncRuns(query: { scope?: string; limit?: number; continuationToken?: string }): Promise<SyncRunPage> {
    return this.json('GET', '/api/sync-jobs', {
      query: {
        scope: query.scope,
        limit: query.limit === undefined ? undefined : String(query.limit),
        continuationToken: query.continuationToken,
      },
    });
  }

  syncRun(id: string): Promise<SyncRun> {
    return this.json('GET', `/api/sync-jobs/${encodeURIComponent(id)}`);
  }

  async backups(scope: string): Promise<Backup[]> {
    return (await this.json<{ items: Backup[] }>('GET', '/api/workspace/backups', { scope })).items;
  }

  downloadBackup(scope: string, id: string): Promise<Download> {
    return this.download(`/api/workspace/backups/${encodeURIComponent(id)}`, { scope }, `backup-${id}.zip`);
  }

  deadLetters(): Promise<DeadLetters> {
    return this.json('GET', '/api/sync/dead-letters');
  }

  replay(which: { all: true } | { messageIds: string[] }): Promise<ReplayResult> {
    return this.json('POST', '/api/sync/dead-letters/replay', { json: which });
  }

  purge(): Promise<{ purged: number }> {
    return this.json('DELETE', '/api/sync/dead-letters');
  }

  /** Readiness answers 503 with the same body when a dependency failed: both are results, not errors. */
  async readiness(): Promise<Readiness> {
    const response = await this.fetch('GET', '/api/health/ready', {});
    if (response.status !== 200 && response.status !== 503) throw await apiErrorOf(response);
    // The body is read once: when it is not a readiness report, the API's message comes from the same text.
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: reported below as the answer's status
    }
    if (body && typeof body === 'object' && Array.isArray((body as Partial<Readiness>).dependencies))
      return body as Readiness;
    throw apiErrorFromText(response, text);
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const response = await this.fetch(method, path, options);
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  private async download(
    path: string,
    options: RequestOptions,
    fallbackName: string,
    onProgress?: (bytes: number) => void,
  ): Promise<Download> {
    const response = await this.send('GET', path, options);
    const fileName = fileNameOf(response.headers.get('content-disposition')) ?? fallbackName;
    if (!onProgress || !response.body) return { blob: await response.blob(), fileName };
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress(received);
    }
    return {
      blob: new Blob(chunks as BlobPart[], {
        type: response.headers.get('content-type') ?? 'application/octet-stream',
      }),
      fileName,
    };
  }

  private async fetch(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(`${this.base}${path}`, window.location.origin);
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, value);
    const headers = new Headers({ accept: JSON_TYPE, ...options.headers });
    const token = await this.token();
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (options.scope && options.scope !== 'GLOBAL') headers.set('x-organization-id', options.scope);
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers.set('content-type', JSON_TYPE);
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      body = options.body as BodyInit;
    }
    return fetchOrNetworkError(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
}

function preconditionHeaders(etag: string | null | undefined): Record<string, string> {
  if (etag === null) return { 'if-none-match': '*' };
  if (etag === undefined) return {};
  return { 'if-match': `"${etag}"` };
}

function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (star !== undefined) return decodeURIComponent(star);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
}
