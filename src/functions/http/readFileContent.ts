import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { isBase64 } from './base64';
import { problem } from './problem';
import { readBody } from './readBody';
import { unreadBody, unsupportedMediaType } from './readJson';

/** A file's new content sent as JSON: UTF-8 text or base64, and optionally the executable bit. */
export const jsonFileContent = z
  .object({
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    executable: z.boolean().optional(),
  })
  .strict();

export type FileContentRead = { bytes: Uint8Array; executable?: boolean } | { response: HttpResponseInit };

/** The new content of a file: raw bytes as sent, or JSON carrying UTF-8 text or base64. */
export async function readFileContent(request: HttpRequest, maxFileBytes: number): Promise<FileContentRead> {
  // split always gives at least one part: the default is never used.
  const [mediaType = ''] = (request.headers.get('content-type') ?? 'application/octet-stream').split(';');
  const type = mediaType.trim().toLowerCase();
  const tooLargeMessage = `files are limited to ${maxFileBytes} bytes`;
  if (type === 'application/json') {
    // base64 is 4/3 of the bytes; the use case checks the decoded size exactly.
    const body = await readBody(request, Math.ceil(maxFileBytes / 3) * 4 + 64 * 1024);
    if (!body.ok) return { response: unreadBody(body, tooLargeMessage) };
    return fromJson(body.bytes);
  }
  if (type === 'application/octet-stream' || type.startsWith('text/')) {
    const body = await readBody(request, maxFileBytes);
    return body.ok ? { bytes: body.bytes } : { response: unreadBody(body, tooLargeMessage) };
  }
  return { response: unsupportedMediaType('application/json', 'application/octet-stream', 'text/*') };
}

function fromJson(raw: Uint8Array): FileContentRead {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return { response: problem(400, 'InvalidJson', 'the body is not valid JSON') };
  }
  const parsed = jsonFileContent.safeParse(json);
  if (!parsed.success) {
    const hint = 'send {"content": "…", "encoding": "utf8" | "base64", "executable"?: boolean}';
    return { response: problem(400, 'ValidationFailed', hint) };
  }
  const { content, encoding, executable } = parsed.data;
  if (encoding === 'base64' && !isBase64(content))
    return { response: problem(400, 'InvalidBase64', 'content is not valid base64') };
  const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  return { bytes, ...(executable === undefined ? {} : { executable }) };
}
