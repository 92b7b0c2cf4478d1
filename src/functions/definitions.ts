import { app, type HttpHandler, type HttpMethod, type InvocationContext } from '@azure/functions';
import type { Container } from 'inversify';
import type { Config } from '../host/config';
import { TYPES } from '../host/identifiers';
import type { RouteAccess } from './http/apiContext';
import { withInvocation } from './invocationScope';
import { crossOriginPolicy, guardCrossOrigin } from './http/crossOrigin';
import { limitConcurrentUploads } from './http/readBody';
import type { RouteDoc } from './http/routeDoc';
import { startedLazily, startupFailureResponse } from './startup';

/** An HTTP function: registered with the Functions host in Azure, routed by the local host here. */
export interface HttpFunctionDefinition {
  readonly name: string;
  /** Route under `/api`, Functions syntax (`github/webhook/{scope}`). */
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  /** The Functions host's own key check; our routes authenticate themselves (bearer token or HMAC). */
  readonly authLevel: 'anonymous' | 'function' | 'admin';
  readonly access: RouteAccess;
  /**
   * Called by servers under whatever name a tunnel or proxy gives it, and authenticating each request
   * itself (the HMAC-signed webhook): exempt from the loopback-names rule of the development identity.
   */
  readonly anyHost?: boolean;
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

/**
 * A queue or timer handler built on first use; a start-up failure is thrown (the message is abandoned,
 * retried). It runs as part of its invocation, so that its log lines reach the invocation's log.
 */
export function lazily<I, R>(
  build: (container: Container) => (input: I, context: InvocationContext) => R,
): (input: I, context: InvocationContext) => Promise<Awaited<R>> {
  const started = startedLazily(build);
  return (input, context) => withInvocation(context, async (): Promise<Awaited<R>> => await (await started())(input, context));
}

/** An HTTP handler built on first use; while the service cannot start, each call is answered 503 saying why. */
export function lazilyHttp(build: (container: Container) => HttpHandler): HttpHandler {
  const started = startedLazily(build);
  return (request, context) =>
    withInvocation(context, async () => {
      let handle: HttpHandler;
      try {
        handle = await started();
      } catch (error) {
        return startupFailureResponse(error, context);
      }
      return handle(request, context);
    });
}

let streamingEnabled = false;

/** Methods of every registered function, by route: what a CORS preflight for the route grants. */
const methodsByRoute = new Map<string, HttpMethod[]>();

/**
 * Registers an HTTP function. Every handler is wrapped by the cross-origin guard (Host, Origin, CORS
 * preflights), so the local host and the Functions host enforce the same policy.
 */
export function registerHttpFunction(definition: HttpFunctionDefinition): HttpFunctionDefinition {
  const firstOfRoute = !methodsByRoute.has(definition.route);
  methodsByRoute.set(definition.route, [...(methodsByRoute.get(definition.route) ?? []), ...definition.methods]);
  const guarded: HttpFunctionDefinition = {
    ...definition,
    build: (container) => {
      const config = container.get<Config>(TYPES.Config);
      limitConcurrentUploads(config.MAX_CONCURRENT_UPLOADS);
      return guardCrossOrigin(definition.build(container), {
        policy: crossOriginPolicy(config),
        route: { anyHost: definition.anyHost === true },
        methods: () => methodsByRoute.get(definition.route) ?? definition.methods,
      });
    },
  };
  if (insideFunctionsHost()) {
    if (!streamingEnabled) {
      // Zip downloads stream, and request bodies reach handlers unread (read after authentication).
      app.setup({ enableHttpStream: true });
      streamingEnabled = true;
    }
    app.http(definition.name, {
      route: definition.route,
      // One function per route also takes OPTIONS, so that preflights reach the guard (two would clash).
      methods: firstOfRoute ? [...definition.methods, 'OPTIONS'] : [...definition.methods],
      authLevel: definition.authLevel,
      handler: lazilyHttp(guarded.build),
    });
  }
  return guarded;
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
