import { once } from 'node:events';
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeBodies } from '../../src/functions/http/readBody';
import { ApiHarness } from '../support/apiHarness';
import { uploadUntilAnswered } from '../support/rawHttp';
import { filesUrl, orgHeader } from './workspaceApi';

const ORG = 'org-bodies';
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** An upload of unknown length (chunked) that sends `first` and then waits to be finished. */
function openUpload(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  first: Buffer,
): { req: ClientRequest; answered: Promise<IncomingMessage> } {
  const url = new URL(baseUrl);
  const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers });
  req.on('error', () => undefined);
  const answered = once(req, 'response').then(([res]) => res as IncomingMessage);
  req.write(first);
  return { req, answered };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Request bodies are read after authentication, capped per route, and a few at a time. */
describe('request bodies', () => {
  let api: ApiHarness;
  let editor: string;

  beforeAll(async () => {
    api = await ApiHarness.start({ MAX_FILE_BYTES: String(MAX_FILE_BYTES), MAX_CONCURRENT_UPLOADS: '1' });
    editor = await api.orgUser([ORG], { editor: true });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each([
    ['a file upload', 'PUT', filesUrl('big.bin'), 'application/octet-stream'],
    ['a JSON body', 'POST', '/api/github-connections', 'application/json'],
  ])('%s without a token is answered 401 before its body is sent, let alone read', async (_, method, path, type) => {
    const declared = 32 * 1024 * 1024;
    const { answer, bytesSent } = await uploadUntilAnswered(
      api.url,
      method,
      path,
      { 'content-type': type, ...orgHeader(ORG) },
      declared,
    );
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: 'MissingToken' });
    expect(bytesSent).toBeLessThan(declared);
  });

  it('a body over the route cap is refused with 413 without reading it, and the connection is not left to the sender', async () => {
    // Larger than what the host drains after answering plus what socket buffers hold, so the sender
    // cannot have finished whatever the machine's load: the answer came first and the socket was cut.
    const declared = 32 * 1024 * 1024;
    const { answer, bytesSent } = await uploadUntilAnswered(
      api.url,
      'PATCH',
      `/api/github-connections/${ORG}`,
      { 'content-type': 'application/json', authorization: `Bearer ${editor}` },
      declared,
    );
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: 'PayloadTooLarge' });
    expect(bytesSent).toBeLessThan(declared);
    expect(answer.headers.connection).toBe('close');
  });

  it('reads one large body at a time, lets one more wait, and answers 503 with retry-after beyond that', async () => {
    const headers = {
      'content-type': 'application/octet-stream',
      authorization: `Bearer ${editor}`,
      ...orgHeader(ORG),
      'transfer-encoding': 'chunked',
    };
    const first = openUpload(api.url, filesUrl('first.bin'), headers, Buffer.alloc(1024, 1));
    await until(() => largeBodies.activeCount === 1);
    const second = openUpload(api.url, filesUrl('second.bin'), headers, Buffer.alloc(1024, 2));
    await until(() => largeBodies.pendingCount === 1);

    const third = await api.call('PUT', filesUrl('third.bin'), {
      token: editor,
      body: Buffer.alloc(2 * 1024 * 1024),
      headers: { 'content-type': 'application/octet-stream', ...orgHeader(ORG) },
    });
    expect(third.status).toBe(503);
    expect(third.json).toMatchObject({ error: 'TooManyUploads' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    first.req.end(Buffer.alloc(1024, 1));
    expect((await first.answered).statusCode).toBe(201);
    second.req.end();
    expect((await second.answered).statusCode).toBe(201);
    const small = await api.call('PUT', filesUrl('small.txt'), {
      token: editor,
      body: 'small',
      headers: { 'content-type': 'text/plain', ...orgHeader(ORG) },
    });
    expect(small.status).toBe(201);
  });

  it('every answer matched /api/openapi.json', () => {
    expect(api.violations).toEqual([]);
  });
});
