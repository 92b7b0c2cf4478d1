import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface LostAnswerProxy {
  readonly port: number;
  /** Requests whose answer was withheld (the client's connection reset instead). */
  readonly lostAnswers: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy to `127.0.0.1:upstreamPort` that forwards every request, but for the first `count`
 * whose request line starts with `method`, resets the client's connection as the answer arrives:
 * the server did the work, the client never hears of it (a lost response, as on a flaky network).
 */
export async function startLostAnswerProxy(upstreamPort: number, method: string, count = 1): Promise<LostAnswerProxy> {
  let lostAnswers = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    let dropNextAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (lostAnswers < count && chunk.toString('latin1').startsWith(`${method} `)) dropNextAnswer = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropNextAnswer) {
        dropNextAnswer = false;
        lostAnswers += 1;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    get lostAnswers() {
      return lostAnswers;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
