import type { HttpResponseInit } from '@azure/functions';

/** Every error answer has this shape: a stable machine code and a sentence for a person. */
interface Problem {
  readonly error: string;
  readonly message: string;
}

export function problem(
  status: number,
  error: string,
  message: string,
  headers?: Record<string, string>,
): HttpResponseInit {
  return { status, jsonBody: { error, message } satisfies Problem, ...(headers ? { headers } : {}) };
}
