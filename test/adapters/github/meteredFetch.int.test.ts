import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchAnswer, meteredFetch } from '../../../src/adapters/github/meteredFetch';

/** What a server saw of one request. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local HTTP server answering with `route`, recording every request it saw. */
async function server(
  route: (seen: Seen, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(request);
      route(request, res);
    });
  });
  await new Promise<void>((listening) => http.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, seen, server: http };
}

/** The transport Octokit is given, as Octokit calls it. */
function fetchFor(bodyMode: 'buffered' | 'streamed', timeoutMs = 2_000) {
  let requests = 0;
  const fetch = meteredFetch({ bodyMode, timeoutMs, onRequest: () => (requests += 1) }) as unknown as (
    url: string,
    init?: Record<string, unknown>,
  ) => Promise<FetchAnswer>;
  return { fetch, requests: () => requests };
}

const JSON_TEXT = JSON.stringify({ sha: 'a'.repeat(40), entries: Array.from({ length: 200 }, (_, i) => `path/${i}`) });

describe('meteredFetch (the node:http transport Octokit uses)', () => {
  let origin: Awaited<ReturnType<typeof server>>;
  let elsewhere: Awaited<ReturnType<typeof server>>;

  beforeAll(async () => {
    elsewhere = await server((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"where":"elsewhere"}');
    });
    origin = await server(({ url }, res) => {
      const [path = '', query = ''] = url.split('?');
      const encoding = new URLSearchParams(query).get('encoding');
      if (path === '/json' && encoding) {
        const encode = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }[encoding] ?? ((b: Buffer) => b);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': encoding });
        res.end(encode(Buffer.from(JSON_TEXT)));
      } else if (path === '/json') {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON_TEXT);
      } else if (path === '/moved') {
        res.writeHead(301, { location: '/json' });
        res.end();
      } else if (path === '/away') {
        res.writeHead(302, { location: `${elsewhere.url}/json` });
        res.end();
      } else if (path === '/see-other') {
        res.writeHead(303, { location: '/echo' });
        res.end();
      } else if (path === '/echo') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('echo');
      } else if (path === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (path === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (path === '/cut') {
        // Promises 10,000 bytes, sends half, then drops the connection.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '10000' });
        res.write(Buffer.alloc(5_000, 1), () => res.destroy());
      } else if (path === '/stall') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '10000' });
        res.write(Buffer.alloc(5_000, 1)); // and never the rest
      } else if (path === '/silent') {
        // never answers
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not Found"}');
      }
    });
  });

  afterAll(async () => {
    for (const { server: http } of [origin, elsewhere]) {
      http.closeAllConnections();
      await new Promise((closed) => http.close(closed));
    }
  });

  it('answers as Octokit reads fetch: status, URL, headers (iterated and by name), text', async () => {
    const { fetch } = fetchFor('buffered');
    const answer = await fetch(`${origin.url}/json`, { method: 'GET', headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.url).toBe(`${origin.url}/json`);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(Object.fromEntries(answer.headers)['set-cookie']).toBe('a=1, b=2');
    expect(JSON.parse(await answer.text())).toEqual(JSON.parse(JSON_TEXT));
    expect(answer.body).toBeInstanceOf(Uint8Array);
  });

  it.each(['gzip', 'deflate', 'br'])('asks for compression and decodes a %s answer', async (encoding) => {
    const { fetch } = fetchFor('buffered');
    const answer = await fetch(`${origin.url}/json?encoding=${encoding}`, { headers: {} });
    expect(await answer.text()).toBe(JSON_TEXT);
    expect(origin.seen.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('hands a streamed body over as a Node stream', async () => {
    const { fetch } = fetchFor('streamed');
    const answer = await fetch(`${origin.url}/json?encoding=gzip`);
    expect(answer.body).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(JSON_TEXT);
  });

  it('follows a redirect on the same origin with the token, counted as one request', async () => {
    const { fetch, requests } = fetchFor('buffered');
    const before = origin.seen.length;
    const answer = await fetch(`${origin.url}/moved`, { headers: { authorization: 'token secret' } });
    expect(answer.status).toBe(200);
    expect(answer.url).toBe(`${origin.url}/json`);
    expect(origin.seen.slice(before).map((seen) => [seen.url, seen.headers.authorization])).toEqual([
      ['/moved', 'token secret'],
      ['/json', 'token secret'],
    ]);
    expect(requests()).toBe(1);
  });

  it('does not take the token to another origin', async () => {
    const { fetch } = fetchFor('buffered');
    const answer = await fetch(`${origin.url}/away`, { headers: { Authorization: 'token secret' } });
    expect(await answer.text()).toBe('{"where":"elsewhere"}');
    expect(origin.seen.at(-1)?.headers.authorization).toBe('token secret');
    expect(elsewhere.seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('goes on after a 303 as a GET without the body', async () => {
    const { fetch } = fetchFor('buffered');
    const before = origin.seen.length;
    await fetch(`${origin.url}/see-other`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(origin.seen.slice(before).map(({ method, url, body }) => [method, url, body])).toEqual([
      ['POST', '/see-other', '{"a":1}'],
      ['GET', '/echo', ''],
    ]);
    expect(origin.seen.at(-1)?.headers['content-type']).toBeUndefined();
  });

  it("answers a redirect as it is with redirect: 'manual', and stops a redirect loop", async () => {
    const { fetch } = fetchFor('streamed');
    const manual = await fetch(`${origin.url}/moved`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([301, '/json']);
    (manual.body as Readable).destroy();
    await expect(fetchFor('buffered').fetch(`${origin.url}/loop`)).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', cause: expect.objectContaining({ message: 'too many redirects' }) }),
    );
  });

  it('answers a 204 without a body, and an error status with its body', async () => {
    const { fetch } = fetchFor('buffered');
    const empty = await fetch(`${origin.url}/empty`, { method: 'DELETE' });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, '']);
    const missing = await fetch(`${origin.url}/nowhere`);
    expect([missing.status, await missing.text()]).toEqual([404, '{"message":"Not Found"}']);
  });

  it('fails a buffered answer cut mid-body as a network failure (what the client retries)', async () => {
    await expect(fetchFor('buffered').fetch(`${origin.url}/cut`)).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', message: 'fetch failed' }),
    );
  });

  it('fails a silent server, and a body that stalls, with the timeout', async () => {
    const silence = expect.objectContaining({ message: 'no data from GitHub for 150 ms' });
    await expect(fetchFor('buffered', 150).fetch(`${origin.url}/silent`)).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', cause: silence }),
    );
    await expect(fetchFor('buffered', 150).fetch(`${origin.url}/stall`)).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', cause: silence }),
    );
    const streamed = await fetchFor('streamed', 150).fetch(`${origin.url}/stall`);
    await expect(async () => {
      for await (const _chunk of streamed.body as Readable) {
        // read until the stall fails the body
      }
    }).rejects.toThrow(silence);
  });

  it('refuses a body that is neither text nor bytes', async () => {
    await expect(
      fetchFor('buffered').fetch(`${origin.url}/echo`, { method: 'POST', body: { not: 'serialised' } }),
    ).rejects.toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});
