import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalNativeRequest } from '../../src/host/localRequest';

/** A node:http server handing each request, as LocalNativeRequest, to `onRequest`; answers 200 after it. */
async function serve(onRequest: (native: LocalNativeRequest, req: IncomingMessage) => Promise<string>): Promise<{
  server: Server;
  url: string;
}> {
  const server = createServer((req, res) => {
    const native = new LocalNativeRequest(
      `http://local${req.url}`,
      req.method ?? 'GET',
      new Headers(req.headers as Record<string, string>),
      req,
    );
    onRequest(native, req).then(
      (text) => res.end(text),
      (error: unknown) => res.end(`failed: ${String(error)}`),
    );
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  }
});

async function readStream(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('LocalNativeRequest', () => {
  it('streams a large body to the handler, in order, and the Request methods read it too', async () => {
    const body = Array.from({ length: 200_000 }, (_, i) => String(i % 10)).join('');
    const { server, url } = await serve(async (native) => String((await readStream(native.body!)) === body));
    servers.push(server);
    expect(await (await fetch(`${url}/stream`, { method: 'POST', body })).text()).toBe('true');

    const viaJson = await serve(async (native) => JSON.stringify(await native.json()));
    servers.push(viaJson.server);
    const answer = await fetch(`${viaJson.url}/json`, { method: 'POST', body: '{"a":[1,2]}' });
    expect(await answer.text()).toBe('{"a":[1,2]}');
  });

  it('reads nothing until asked: a body the handler never touches stays with the server', async () => {
    let seen: { used: boolean; readable: number } | undefined;
    const { server, url } = await serve(async (native, req) => {
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      seen = { used: native.bodyUsed, readable: req.readableLength };
      req.resume();
      return 'ok';
    });
    servers.push(server);
    await (await fetch(`${url}/untouched`, { method: 'POST', body: 'x'.repeat(1000) })).text();
    expect(seen?.used).toBe(false);
    expect(seen?.readable).toBeGreaterThan(0); // still buffered in the request, not pulled into a stream
  });

  it('errors the body stream when the client left before the handler asked for it, instead of waiting forever', async () => {
    let result: Promise<string> | undefined;
    let gone!: () => void;
    const clientGone = new Promise<void>((resolveGone) => (gone = resolveGone));
    const { server, url } = await serve(async (native, req) => {
      req.once('close', () => gone());
      await clientGone;
      result = readStream(native.body!).then(
        () => 'read',
        (error: unknown) => `error: ${String(error)}`,
      );
      return result;
    });
    servers.push(server);
    const client = request(`${url}/abandoned`, { method: 'POST', headers: { 'content-length': '100000' } });
    client.on('error', () => undefined);
    client.write('x'.repeat(10));
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    client.destroy();
    await clientGone;
    await expect.poll(() => result).toBeDefined();
    // Node's own 'aborted' error, or ours when the request closed without one.
    expect(await result).toMatch(/^error: .*(aborted|closed the connection before sending the whole body)/);
  });
});
