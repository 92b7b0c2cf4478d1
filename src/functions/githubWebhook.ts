import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import type {
  ReceiveGitHubWebhook,
  WebhookDelivery,
  WebhookOutcome,
  WebhookRejection,
} from '../domain/sync/ReceiveGitHubWebhook';
import { TYPES } from '../host/identifiers';
import type { Logger } from '../ports/Logger';
import { registerHttpFunction } from './definitions';
import { problem } from './http/problem';
import { largeWebhookBodies, readBody } from './http/readBody';
import { unreadBody } from './http/readJson';

/** GitHub caps webhook payloads at 25 MB but documents pushes of up to 5 MB; we accept 5 MB. */
export const WEBHOOK_MAX_BODY_BYTES = 5 * 1024 * 1024;

const REJECTION_STATUS: Record<WebhookRejection, number> = {
  UnknownScope: 404,
  SignatureMissing: 401,
  SignatureInvalid: 401,
  WebhookSecretUnavailable: 500,
  DeliveryIdMissing: 400,
  EventMissing: 400,
  InvalidJson: 400,
  InvalidPayload: 400,
};

export function makeGithubWebhookHandler(deps: { receive: ReceiveGitHubWebhook; logger: Logger }) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const deliveryId = request.headers.get('x-github-delivery');
    // Fields, not a child logger: a child per delivery was about a quarter of the logging CPU.
    const about = { invocationId: context.invocationId, deliveryId, scope: request.params.scope };
    const signature = request.headers.get('x-hub-signature-256');
    // An unsigned delivery is refused on its headers (unknown scope, missing signature): its body is never read.
    const body = signature
      ? await readBody(request, WEBHOOK_MAX_BODY_BYTES, largeWebhookBodies)
      : ({ ok: true, bytes: new Uint8Array(0) } as const);
    if (!body.ok) return unreadBody(body, `webhook bodies are limited to ${WEBHOOK_MAX_BODY_BYTES} bytes`);

    const raw = Buffer.from(body.bytes).toString('utf8');
    const payload = extractPayload(raw, request.headers.get('content-type'));
    const delivery: WebhookDelivery = {
      scope: request.params.scope ?? '',
      event: request.headers.get('x-github-event'),
      deliveryId,
      signature,
      payload,
      ...(payload === raw ? {} : { signedBody: raw }),
    };
    let outcome: WebhookOutcome;
    try {
      outcome = await deps.receive.execute(delivery);
    } catch (error) {
      deps.logger.error(
        { ...about, error: error instanceof Error ? error.message : String(error) },
        'webhook could not be queued',
      );
      return problem(503, 'Unavailable', 'the sync could not be queued; redeliver the webhook later', {
        'retry-after': '30',
      });
    }
    deps.logger.info(
      { ...about, event: delivery.event, outcome: outcome.kind, ...('code' in outcome ? { code: outcome.code } : {}) },
      'webhook handled',
    );
    return toResponse(outcome);
  };
}

/** GitHub posts `application/json` or a form with the JSON in `payload`; both are signed as sent. */
function extractPayload(raw: string, contentType: string | null): string {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return raw;
  return new URLSearchParams(raw).get('payload') ?? '';
}

const webhookAnswer = z.object({
  message: z.string(),
  commitSha: z.string().optional(),
  deliveryId: z.string().optional(),
  branch: z.string().optional(),
  ignored: z.string().optional(),
});

function toResponse(outcome: WebhookOutcome): HttpResponseInit {
  switch (outcome.kind) {
    case 'rejected':
      return problem(REJECTION_STATUS[outcome.code], outcome.code, outcome.message);
    case 'pong':
      return { status: 200, jsonBody: { message: 'pong' } };
    case 'ignored':
      return { status: 200, jsonBody: { message: 'ignored', ignored: outcome.reason } };
    case 'duplicate':
      return {
        status: 200,
        jsonBody: { message: 'duplicate delivery: already queued', deliveryId: outcome.deliveryId },
      };
    case 'branch-deleted':
      return {
        status: 200,
        jsonBody: { message: `branch ${outcome.branch} was deleted on GitHub; files kept`, branch: outcome.branch },
      };
    case 'queued':
      return {
        status: 202,
        jsonBody: { message: 'sync queued', commitSha: outcome.commitSha, deliveryId: outcome.deliveryId },
      };
  }
}

export const githubWebhookFunction = registerHttpFunction({
  name: 'githubWebhook',
  route: 'github/webhook/{scope}',
  methods: ['POST'],
  authLevel: 'anonymous', // GitHub cannot send a function key; the HMAC signature is the authentication
  access: { kind: 'open' },
  anyHost: true, // GitHub calls the URL it was given, through whatever tunnel or proxy: the signature authenticates
  doc: {
    summary: 'Receive a GitHub push webhook for a scope (HMAC-signed, no bearer token)',
    description:
      "A push is matched to the scope's connection by GitHub's repository id (a renamed repository is followed and the connection takes its new name), or by full name for connections declared in configuration. The queue's duplicate detection drops a redelivery to the same scope within its window (the message id is scope + delivery id): another scope's hook of the same event queues its own sync.",
    tags: ['github'],
    headers: [
      {
        name: 'X-Hub-Signature-256',
        description: 'sha256=<hex HMAC-SHA256 of the raw body> with the connection webhook secret',
      },
      { name: 'X-GitHub-Event', description: 'push (ping is answered with pong; other events are ignored)' },
      {
        name: 'X-GitHub-Delivery',
        description:
          'delivery id: the same on redelivery, and for every hook of the same event; deduplicated per scope by the queue',
      },
    ],
    body: { contentTypes: ['application/json', 'application/x-www-form-urlencoded'], required: true },
    responses: {
      200: { description: 'Ping, ignored event, duplicate delivery or deleted branch', schema: webhookAnswer },
      202: { description: 'Sync queued', schema: webhookAnswer },
      400: {
        description: 'Not a GitHub delivery',
        problems: ['DeliveryIdMissing', 'EventMissing', 'InvalidJson', 'InvalidPayload'],
      },
      401: { description: 'Signature missing or wrong', problems: ['SignatureMissing', 'SignatureInvalid'] },
      404: { description: 'No connection for the scope', problems: ['UnknownScope'] },
      413: { description: 'Payload over 5 MB', problems: ['PayloadTooLarge'] },
      500: { description: 'The webhook secret cannot be read', problems: ['WebhookSecretUnavailable'] },
      503: {
        description: 'The sync could not be queued, or too many large deliveries are being read; redeliver later',
        problems: ['Unavailable', 'TooManyUploads'],
      },
    },
  },
  build: (container) =>
    makeGithubWebhookHandler({
      receive: container.get(TYPES.ReceiveGitHubWebhook),
      logger: container.get(TYPES.Logger),
    }),
});
