import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { problem } from './problem';
import { type BodyRead, mediaTypeOf, readBody } from './readBody';

export type JsonRead<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly response: HttpResponseInit };

/** Reads and validates a JSON body; every way it can be wrong is a 4xx naming what to fix. */
export async function readJson<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
  maxBytes = 256 * 1024,
  /** A route's own code and hint for a body of the wrong shape (default ValidationFailed, naming the fields). */
  invalid?: { readonly code: string; readonly message: string },
): Promise<JsonRead<z.output<S>>> {
  // Only JSON is taken as JSON: a form or text/plain body is what a cross-site page can send without asking.
  if (mediaTypeOf(request) !== 'application/json')
    return { ok: false, response: unsupportedMediaType('application/json') };
  const body = await readBody(request, maxBytes);
  if (!body.ok) return { ok: false, response: unreadBody(body, `the request body is limited to ${maxBytes} bytes`) };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.bytes).toString('utf8'));
  } catch {
    return { ok: false, response: problem(400, 'InvalidJson', 'the body is not valid JSON') };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      response: invalid
        ? problem(400, invalid.code, invalid.message)
        : problem(400, 'ValidationFailed', describeIssues(parsed.error)),
    };
  }
  return { ok: true, value: parsed.data };
}

export function unsupportedMediaType(...accepted: string[]): HttpResponseInit {
  return problem(415, 'UnsupportedMediaType', `send the body as ${accepted.join(' or ')} (Content-Type)`);
}

/**
 * The answer to a body that was not read: too large for the route (413), too many large bodies in
 * flight (503), or cut off by the caller (400; it is rarely seen, the caller has usually gone).
 */
export function unreadBody(body: Extract<BodyRead, { ok: false }>, tooLargeMessage: string): HttpResponseInit {
  if ('busy' in body)
    return problem(503, 'TooManyUploads', 'too many large uploads are in progress; retry shortly', {
      'retry-after': '2',
    });
  if ('aborted' in body) return problem(400, 'BodyIncomplete', 'the request body ended before it was complete');
  return problem(413, 'PayloadTooLarge', tooLargeMessage);
}

/** Validates query parameters against an object schema of strings (coercions allowed). */
export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): JsonRead<z.output<S>> {
  const parsed = schema.safeParse(Object.fromEntries(request.query.entries()));
  if (!parsed.success) return { ok: false, response: problem(400, 'InvalidQuery', describeIssues(parsed.error)) };
  return { ok: true, value: parsed.data };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
