import { app, type HttpHandler, type HttpMethod, type InvocationContext } from '@azure/functions';
import type { Container } from 'inversify';
import { getAppContainer } from '../host/appContainer';
import type { RouteAccess } from './http/apiContext';
import type { RouteDoc } from './http/routeDoc';

/** An HTTP function: registered with the Functions host in Azure, routed by the local host here. */
export interface HttpFunctionDefinition {
  readonly name: string;
  /** Route under `/api`, Functions syntax (`github/webhook/{scope}`). */
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  /** The Functions host's own key check; our routes authenticate themselves (bearer token or HMAC). */
  readonly authLevel: 'anonymous' | 'function' | 'admin';
  readonly access: RouteAccess;
  readonly doc: RouteDoc;
  readonly build: (container: Container) => HttpHandler;
}

export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;

export interface QueueFunctionDefinition {
  readonly name: string;
  readonly build: (container: Container) => QueueHandler;
}

/** True inside the Azure Functions host, where `app.*` registrations take effect. */
export function insideFunctionsHost(): boolean {
  return Boolean(process.env.FUNCTIONS_WORKER_RUNTIME);
}

/** Builds the handler on first use, from the process-wide container. */
function lazily<A extends unknown[], R>(build: (container: Container) => (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
  let handler: Promise<(...args: A) => R> | undefined;
  return async (...args: A): Promise<Awaited<R>> => {
    handler ??= getAppContainer().then(build);
    return (await (await handler)(...args)) as Awaited<R>;
  };
}

let streamingEnabled = false;

export function registerHttpFunction(definition: HttpFunctionDefinition): HttpFunctionDefinition {
  if (insideFunctionsHost()) {
    if (!streamingEnabled) {
      // Zip downloads stream; without this the host buffers whole bodies in memory.
      app.setup({ enableHttpStream: true });
      streamingEnabled = true;
    }
    app.http(definition.name, {
      route: definition.route,
      methods: [...definition.methods],
      authLevel: definition.authLevel,
      handler: lazily(definition.build),
    });
  }
  return definition;
}

export function registerServiceBusQueueFunction(
  definition: QueueFunctionDefinition,
  binding: () => { readonly queueName: string; readonly connection: string },
): QueueFunctionDefinition {
  if (insideFunctionsHost()) {
    app.serviceBusQueue(definition.name, { ...binding(), handler: lazily(definition.build) });
  }
  return definition;
}
