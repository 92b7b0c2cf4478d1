import { createHmac } from 'node:crypto';
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryMetadataRepo } from '../../src/adapters/in-memory/InMemoryMetadataRepo';
import { InMemorySecretStore } from '../../src/adapters/in-memory/InMemorySecretStore';
import { InProcessCommandQueue } from '../../src/adapters/in-process-queue/InProcessCommandQueue';
import { SystemClock } from '../../src/adapters/system/SystemClock';
import { OctokitSignatureVerifier } from '../../src/adapters/webhooks/OctokitSignatureVerifier';
import { GLOBAL_SCOPE, parseScope, type Scope } from '../../src/domain/shared/Scope';
import { ReceiveGitHubWebhook } from '../../src/domain/sync/ReceiveGitHubWebhook';
import { makeGithubWebhookHandler, WEBHOOK_MAX_BODY_BYTES } from '../../src/functions/githubWebhook';
import { captureLogger } from '../support/captureLogger';
import { aConnection } from '../support/mothers';

const SECRET = 'a-webhook-secret-of-enough-length-0123456789';
const HEAD = 'a'.repeat(40);

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function pushPayload(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: 'b'.repeat(40),
    after: HEAD,
    forced: false,
    deleted: false,
    repository: { full_name: 'acme/scripts' },
    commits: [],
    ...overrides,
  });
}

describe('GitHub signature verification', () => {
  it("accepts GitHub's published test vector", async () => {
    const verifier = new OctokitSignatureVerifier();
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(await verifier.verify("It's a Secret to Everybody", 'Hello, World!', signature)).toBe(true);
    expect(await verifier.verify("It's a Secret to Everybody", 'Hello, World?', signature)).toBe(false);
    expect(await verifier.verify("It's a secret to everybody", 'Hello, World!', signature)).toBe(false);
    expect(await verifier.verify("It's a Secret to Everybody", 'Hello, World!', 'sha256=zz')).toBe(false);
  });
});

describe('githubWebhook handler', () => {
  let metadata: InMemoryMetadataRepo;
  let queue: InProcessCommandQueue;
  let log: ReturnType<typeof captureLogger>;
  let handler: ReturnType<typeof makeGithubWebhookHandler>;
  const queued: Array<{ messageId: string; body: unknown }> = [];

  beforeEach(async () => {
    metadata = new InMemoryMetadataRepo();
    const secrets = new InMemorySecretStore();
    await secrets.set('WEBHOOK_SECRET', SECRET);
    // GLOBAL on acme/scripts@main, its webhook secret under WEBHOOK_SECRET.
    await metadata.saveConnection(
      aConnection({ scope: GLOBAL_SCOPE, repository: 'acme/scripts', webhookSecretRef: 'WEBHOOK_SECRET' }),
    );
    queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 10 });
    queued.length = 0;
    await queue.start(
      async (message) => {
        queued.push({ messageId: message.messageId, body: message.body });
        return { kind: 'complete' };
      },
      { concurrency: 1 },
    );
    log = captureLogger();
    const receive = new ReceiveGitHubWebhook({
      metadata,
      secrets,
      verifier: new OctokitSignatureVerifier(),
      queue,
      clock: new SystemClock(),
      logger: log.logger,
    });
    handler = makeGithubWebhookHandler({ receive, logger: log.logger });
  });

  async function post(options: {
    body: string;
    event?: string | null;
    delivery?: string | null;
    signature?: string | null;
    scope?: string;
    contentType?: string;
  }): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    const event = options.event === undefined ? 'push' : options.event;
    const delivery = options.delivery === undefined ? globalThis.crypto.randomUUID() : options.delivery;
    const signature = options.signature === undefined ? sign(options.body) : options.signature;
    if (event !== null) headers['x-github-event'] = event;
    if (delivery !== null) headers['x-github-delivery'] = delivery;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const scope = options.scope ?? 'GLOBAL';
    const request = new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/github/webhook/${scope}`,
      headers,
      params: { scope },
      body: { string: options.body },
    });
    const init = (await handler(request, new InvocationContext({ invocationId: 'test' }))) as HttpResponseInit;
    const response = new HttpResponse(init);
    await queue.idle();
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('answers ping with 200 and queues nothing', async () => {
    const res = await post({ body: JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), event: 'ping' });
    expect(res).toEqual({ status: 200, json: { message: 'pong' } });
    expect(queued).toHaveLength(0);
  });

  it('queues a push to the connected branch under scope and delivery id and answers 202', async () => {
    const res = await post({ body: pushPayload(), delivery: 'delivery-1' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ message: 'sync queued', commitSha: HEAD, deliveryId: 'delivery-1' });
    expect(queued).toHaveLength(1);
    expect(queued[0]!.messageId).toBe('GLOBAL:delivery-1');
    expect(queued[0]!.body).toMatchObject({
      scope: 'GLOBAL',
      trigger: 'push',
      deliveryId: 'delivery-1',
      commitSha: HEAD,
    });
  });

  it('accepts form-encoded deliveries signed over the whole form', async () => {
    const form = new URLSearchParams({ payload: pushPayload() }).toString();
    const res = await post({ body: form, contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
    expect(queued).toHaveLength(1);
  });

  it('queues the same delivery only once', async () => {
    const first = await post({ body: pushPayload(), delivery: 'same-delivery' });
    const second = await post({ body: pushPayload(), delivery: 'same-delivery' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.json.message).toMatch(/duplicate/);
    expect(queued).toHaveLength(1);
  });

  it('queues one push for each scope following the repository: GitHub sends every hook the same delivery id', async () => {
    const scope = 'org-2' as Scope;
    await metadata.saveConnection({ ...(await metadata.getConnection(GLOBAL_SCOPE))!, scope });
    const global = await post({ body: pushPayload(), delivery: 'shared-delivery' });
    const org = await post({ body: pushPayload(), delivery: 'shared-delivery', scope });
    expect([global.status, org.status]).toEqual([202, 202]);
    expect(queued.map((message) => message.messageId).sort()).toEqual([
      'GLOBAL:shared-delivery',
      'org-2:shared-delivery',
    ]);
    // Each scope still drops its own redelivery.
    expect((await post({ body: pushPayload(), delivery: 'shared-delivery', scope })).json.message).toMatch(/duplicate/);
    expect(queued).toHaveLength(2);
  });

  it("follows a renamed repository by GitHub's repository id, and updates the stored name", async () => {
    await metadata.saveConnection({ ...(await metadata.getConnection(GLOBAL_SCOPE))!, repositoryId: 42 });
    const renamed = await post({ body: pushPayload({ repository: { id: 42, full_name: 'acme/renamed-scripts' } }) });
    expect(renamed.status).toBe(202);
    expect(queued).toHaveLength(1);
    expect(await metadata.getConnection(GLOBAL_SCOPE)).toMatchObject({
      repository: 'acme/renamed-scripts',
      repositoryId: 42,
    });
    // A new repository under the old name is another repository.
    const impostor = await post({ body: pushPayload({ repository: { id: 43, full_name: 'acme/renamed-scripts' } }) });
    expect(impostor.json.ignored).toMatch(/connection is to acme\/renamed-scripts/);
    // A payload without an id is matched by name.
    expect((await post({ body: pushPayload({ repository: { full_name: 'acme/renamed-scripts' } }) })).status).toBe(202);
    expect(queued).toHaveLength(2);
  });

  it('matches a connection without a repository id (declared in configuration) by name, whatever id the push carries', async () => {
    expect((await post({ body: pushPayload({ repository: { id: 42, full_name: 'ACME/Scripts' } }) })).status).toBe(202);
    const other = await post({ body: pushPayload({ repository: { id: 42, full_name: 'acme/renamed-scripts' } }) });
    expect(other.json.ignored).toMatch(/push to acme\/renamed-scripts, connection is to acme\/scripts/);
    expect((await metadata.getConnection(GLOBAL_SCOPE))!.repository).toBe('acme/scripts');
    expect(queued).toHaveLength(1);
  });

  it('ignores pushes to other branches and other events with 200 and a reason', async () => {
    const other = await post({ body: pushPayload({ ref: 'refs/heads/feature' }) });
    expect(other.status).toBe(200);
    expect(other.json.ignored).toMatch(/refs\/heads\/feature/);
    const tag = await post({ body: pushPayload({ ref: 'refs/tags/v1' }) });
    expect(tag.json.ignored).toBeTruthy();
    const issues = await post({ body: JSON.stringify({ action: 'opened' }), event: 'issues' });
    expect(issues).toEqual({ status: 200, json: { message: 'ignored', ignored: "event 'issues' is not handled" } });
    expect(queued).toHaveLength(0);
  });

  it('records a deleted branch on the connection and deletes nothing', async () => {
    const res = await post({ body: pushPayload({ deleted: true, after: '0'.repeat(40) }) });
    expect(res.status).toBe(200);
    expect(res.json.branch).toBe('main');
    expect((await metadata.getConnection(GLOBAL_SCOPE))?.branchDeletedAt).toBeInstanceOf(Date);
    expect(queued).toHaveLength(0);
  });

  it('answers 401 to a missing or wrong signature, queues nothing and logs no payload', async () => {
    const body = pushPayload({ marker: 'PAYLOAD-MARKER' });
    const good = sign(body);
    const flipped = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    const cases = [
      { signature: null, code: 'SignatureMissing' },
      { signature: flipped, code: 'SignatureInvalid' },
      { signature: sign(body, 'another-secret'), code: 'SignatureInvalid' },
      { signature: sign(`${body} `), code: 'SignatureInvalid' },
      { signature: good.replace('sha256=', 'sha1='), code: 'SignatureInvalid' },
      { signature: 'sha256=', code: 'SignatureInvalid' },
      { signature: good.toUpperCase(), code: 'SignatureInvalid' },
    ];
    for (const { signature, code } of cases) {
      const res = await post({ body, signature });
      expect(res.status, String(signature)).toBe(401);
      expect(res.json.error).toBe(code);
      expect(typeof res.json.message).toBe('string');
    }
    // A body tampered after signing.
    const tampered = await post({ body: body.replace('main', 'evil'), signature: good });
    expect(tampered.status).toBe(401);
    expect(queued).toHaveLength(0);
    expect(log.text()).not.toContain('PAYLOAD-MARKER');
    expect(log.text()).not.toContain(good.slice(7));
  });

  it('answers 404 for unknown or malformed scopes before reading the signature', async () => {
    for (const scope of ['org-404', '..', 'a b', '']) {
      const res = await post({ body: pushPayload(), scope });
      expect(res.status, scope).toBe(404);
      expect(res.json.error).toBe('UnknownScope');
    }
    expect(parseScope('..')).toBeNull();
  });

  it('answers 413 past 5 MB without queueing', async () => {
    const big = pushPayload({ padding: 'x'.repeat(WEBHOOK_MAX_BODY_BYTES) });
    const res = await post({ body: big });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('PayloadTooLarge');
    expect(queued).toHaveLength(0);
  });

  it('refuses an unsigned delivery on its headers, without reading its body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          pulled++;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      },
      { highWaterMark: 0 },
    );
    const nativeRequest = new Request('http://localhost/api/github/webhook/GLOBAL', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'unsigned-1' },
      body,
      duplex: 'half',
    } as RequestInit);
    // The Functions host's streaming request carries the body this way (createStreamRequest).
    const request = new HttpRequest({ nativeRequest, params: { scope: 'GLOBAL' } } as unknown as ConstructorParameters<
      typeof HttpRequest
    >[0]);
    const response = new HttpResponse(
      (await handler(request, new InvocationContext({ invocationId: 'test' }))) as HttpResponseInit,
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'SignatureMissing' });
    expect(pulled).toBe(0);
    await body.cancel();
  });

  it('answers 400 to a signed body that is not JSON, or a push without the needed fields', async () => {
    const notJson = await post({ body: 'this is not json' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toBe('InvalidJson');
    const noAfter = await post({
      body: JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/scripts' } }),
    });
    expect(noAfter.status).toBe(400);
    expect(noAfter.json.error).toBe('InvalidPayload');
    const noDelivery = await post({ body: pushPayload(), delivery: null });
    expect(noDelivery.json.error).toBe('DeliveryIdMissing');
    const noEvent = await post({ body: pushPayload(), event: null });
    expect(noEvent.json.error).toBe('EventMissing');
    expect(queued).toHaveLength(0);
  });

  it('answers 503 when the queue is down, and accepts the redelivery afterwards', async () => {
    const original = queue.send.bind(queue);
    queue.send = async () => {
      throw new Error('queue unavailable');
    };
    const failed = await post({ body: pushPayload(), delivery: 'retry-me' });
    expect(failed.status).toBe(503);
    queue.send = original;
    const redelivered = await post({ body: pushPayload(), delivery: 'retry-me' });
    expect(redelivered.status).toBe(202);
    expect(queued).toHaveLength(1);
  });
});
