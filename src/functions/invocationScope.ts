import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationContext } from '@azure/functions';

// The invocation a piece of work belongs to, carried across awaits: the logger is one for the
// process, yet each line must reach Application Insights as part of its own invocation.
const scope = new AsyncLocalStorage<InvocationContext>();

/** Runs a handler as part of its invocation (see currentInvocation). */
export function withInvocation<R>(context: InvocationContext, handle: () => R): R {
  return scope.run(context, handle);
}

/** The invocation the current code runs for, or undefined outside any (start-up, the local host). */
export function currentInvocation(): InvocationContext | undefined {
  return scope.getStore();
}
