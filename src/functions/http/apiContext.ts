import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Need, Principal } from '../../domain/Principal';
import type { Scope } from '../../domain/Scope';
import type { Logger } from '../../ports/Logger';

/** What an authenticated handler knows about the request beyond the request itself. */
export interface ApiContext {
  readonly principal: Principal;
  /** The scope the request acts on (path `{scope}`, else `X-Organization-Id`, absent = GLOBAL); null on unscoped routes. */
  readonly scope: Scope | null;
  readonly log: Logger;
}

export type ApiHandler = (request: HttpRequest, context: ApiContext) => Promise<HttpResponseInit>;

/** Who may call a route: anyone (the webhook, liveness, the API description) or a principal with a need. */
export type RouteAccess =
  | { readonly kind: 'open' }
  | { readonly kind: 'protected'; readonly need: Need; readonly scoped: boolean };
