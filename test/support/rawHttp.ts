import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read the error bodies of many routes ad hoc, as `answer.json.error`
  readonly json: any;
}

function parsed(status: number, headers: IncomingMessage['headers'], body: string): RawAnswer {
  let json: unknown;
  try {
    json = headers['content-type']?.includes('json') ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/**
 * A request over node:http, which (unlike fetch) sends any Host and Origin it is given: what a
 * browser on a rebound name or another site would send.
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const req = request({
    host: url.hostname,
    port: url.port,
    method,
    path,
    headers,
    setHost: !Object.keys(headers).some((name) => name.toLowerCase() === 'host'),
  });
  req.end(body);
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return parsed(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString('utf8'));
}

/** Sends `head` (request line and headers, CRLF-separated, without the final blank line) over a bare socket. */
export async function rawExchange(baseUrl: string, head: string): Promise<{ statusLine: string; text: string }> {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.end(`${head}\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('latin1');
  return { statusLine: text.split('\r\n')[0] ?? '', text };
}

/**
 * Starts an upload that declares `declaredBytes` and sends zeros a chunk at a time, as fast as the
 * server takes them, until the server answers. Resolves with the answer and how many bytes had been
 * handed to the socket by then: a server that reads the whole body first cannot answer before all of
 * it is sent.
 */
export async function uploadUntilAnswered(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  declaredBytes: number,
): Promise<{ answer: RawAnswer; bytesSent: number }> {
  const url = new URL(baseUrl);
  const req = request({
    host: url.hostname,
    port: url.port,
    method,
    path,
    headers: { ...headers, 'content-length': String(declaredBytes) },
  });
  req.on('error', () => undefined); // the server may close the connection once it has answered
  let response: IncomingMessage | undefined;
  const answered = new Promise<IncomingMessage>((resolve) =>
    req.once('response', (res: IncomingMessage) => {
      response = res;
      resolve(res);
    }),
  );
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  while (!response && sent < declaredBytes) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, declaredBytes - sent));
    sent += piece.byteLength;
    if (!req.write(piece)) await Promise.race([once(req, 'drain'), answered]);
  }
  const bytesSent = sent;
  const res = await answered;
  const chunks: Buffer[] = [];
  res.on('data', (part: Buffer) => chunks.push(part));
  await Promise.race([once(res, 'end'), once(res, 'close')]);
  req.destroy();
  return { answer: parsed(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8')), bytesSent };
}
