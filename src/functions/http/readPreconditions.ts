import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { SaveOptions } from '../../domain/workspace/EditWorkspace';
import { problem } from './problem';

export type Preconditions = Pick<SaveOptions, 'ifMatch' | 'ifNoneMatch'>;

/** If-Match (a tag, or *) and If-None-Match (only *, create only): one of them at most. */
export function readPreconditions(request: HttpRequest): { value: Preconditions } | { response: HttpResponseInit } {
  const ifMatch = request.headers.get('if-match')?.trim();
  const ifNoneMatch = request.headers.get('if-none-match')?.trim();
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
    return { response: problem(400, 'InvalidPrecondition', 'If-None-Match supports only * (create only)') };
  if (ifMatch !== undefined && ifNoneMatch !== undefined)
    return { response: problem(400, 'InvalidPrecondition', 'send If-Match or If-None-Match, not both') };
  return { value: { ...(ifMatch ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch: '*' as const } : {}) } };
}
