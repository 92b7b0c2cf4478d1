import type { HttpHandler, HttpMethod, InvocationContext, Timer, WarmupContext } from '@azure/functions';
import type { Container } from 'inversify';
import { TYPES } from '../host/identifiers';
import type { RouteAccess } from './http/apiContext';
import { crossOriginPolicy, guardCrossOrigin } from './http/crossOrigin';
import { limitConcurrentUploads } from './http/readBody';
import type { RouteDoc } from './http/routeDoc';

/**
 * An HTTP function: what it answers and how its handler is built from the container. The hosts
 * register it: the Functions host's entry (src/host/functionsApp.ts) with the runtime, the local
 * host with its router.
 */
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

/** The queue-triggered worker; the host binds it to the queue the configuration names. */
export interface QueueFunctionDefinition {
  readonly name: string;
  readonly build: (container: Container) => QueueHandler;
}

type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/** A timer-triggered function; the host registers it on the schedule the configuration gives. */
export interface TimerFunctionDefinition {
  readonly name: string;
  readonly build: (container: Container) => TimerHandler;
}

type WarmupHandler = (warmup: WarmupContext, context: InvocationContext) => Promise<void>;

/** The warmup trigger: one per app, under the name the host looks for. */
export interface WarmupFunctionDefinition {
  readonly name: 'warmup';
  readonly build: (container: Container) => WarmupHandler;
}

/** Methods of every defined function, by route: what a CORS preflight for the route grants. */
const methodsByRoute = new Map<string, HttpMethod[]>();

/**
 * Defines an HTTP function. Every handler is wrapped by the cross-origin guard (Host, Origin, CORS
 * preflights), so the local host and the Functions host enforce the same policy.
 */
export function registerHttpFunction(definition: HttpFunctionDefinition): HttpFunctionDefinition {
  methodsByRoute.set(definition.route, [...(methodsByRoute.get(definition.route) ?? []), ...definition.methods]);
  return {
    ...definition,
    build: (container) => {
      const config = container.get(TYPES.Config);
      limitConcurrentUploads(config.MAX_CONCURRENT_UPLOADS);
      return guardCrossOrigin(definition.build(container), {
        policy: crossOriginPolicy(config),
        route: { anyHost: definition.anyHost === true },
        methods: () => methodsByRoute.get(definition.route) ?? definition.methods,
      });
    },
  };
}
