/**
 * `npm run dlq -- list | replay <messageId…> | replay --all | purge`: dead-letter operations through
 * the service's admin API, so it works the same against `npm start` (in-process or Service Bus)
 * and against Azure. WSYNC_URL picks the service (default http://127.0.0.1:7071); WSYNC_TOKEN, an
 * Entra ID access token with the admin role, is sent as the bearer token (not needed for `npm start`
 * on its development identity).
 */
const USAGE = 'usage: npm run dlq -- list | replay <messageId…> | replay --all | purge   [--json]';

interface DeadLetterView {
  messageId: string;
  reason: string;
  description: string;
  enqueuedAt: string;
  deliveryCount: number;
  command: { scope: string; trigger: string } | null;
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const base = (process.env.WSYNC_URL ?? 'http://127.0.0.1:7071').replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (process.env.WSYNC_TOKEN) headers.authorization = `Bearer ${process.env.WSYNC_TOKEN}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}/api/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) throw new Error(`${response.status} ${json.error ?? ''}: ${json.message ?? 'request failed'}`);
  return json;
}

export async function runDlqCli(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  const [command, ...rest] = args;
  const show = (value: unknown, lines: () => string[]): void => {
    if (json) print(JSON.stringify(value, null, 2));
    else for (const line of lines()) print(line);
  };
  switch (command) {
    case 'list': {
      const result = (await call('GET', 'sync/dead-letters')) as { count: number; deadLetters: DeadLetterView[] };
      show(result, () => [
        `${result.count} dead-lettered sync command(s)`,
        ...result.deadLetters.map(
          (letter) =>
            `${letter.messageId}  ${letter.reason}  scope=${letter.command?.scope ?? '?'} trigger=${letter.command?.trigger ?? '?'} deliveries=${letter.deliveryCount} at=${letter.enqueuedAt}\n    ${letter.description}`,
        ),
      ]);
      return 0;
    }
    case 'replay': {
      if (rest.length === 0) {
        print(USAGE);
        return 2;
      }
      const request = rest.includes('--all') ? { all: true } : { messageIds: rest };
      const result = (await call('POST', 'sync/dead-letters/replay', request)) as {
        replayed: unknown[];
        notFound: string[];
        notReplayable: string[];
      };
      show(result, () => [
        `replayed ${result.replayed.length}`,
        ...(result.notFound.length ? [`not found: ${result.notFound.join(', ')}`] : []),
        ...(result.notReplayable.length
          ? [`not replayable (not a sync command): ${result.notReplayable.join(', ')}`]
          : []),
      ]);
      return result.notFound.length > 0 ? 1 : 0;
    }
    case 'purge': {
      const result = (await call('DELETE', 'sync/dead-letters')) as { purged: number };
      show(result, () => [`purged ${result.purged}`]);
      return 0;
    }
    default:
      print(USAGE);
      return 2;
  }
}

if (require.main === module) {
  runDlqCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
