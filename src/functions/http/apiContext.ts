import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Need, Principal } from '../../domain/shared/Principal';
import type { Scope } from '../../domain/shared/Scope';
import type { Logger } from '../../ports/Logger';

/** The scope a handler is given: a checked `Scope` on scoped routes, null on the others. */
export type ScopeOf<Scoped extends boolean> = Scoped extends true ? Scope : null;

/** What an authenticated handler knows about the request beyond the request itself. */
export interface ApiContext<S extends Scope | null = Scope | null> {
  readonly principal: Principal;
  /** The scope the request acts on (path `{scope}`, else `X-Organization-Id`, absent = GLOBAL), parsed and access-checked; null on unscoped routes. */
  readonly scope: S;
  readonly log: Logger;
}

export type ApiHandler<S extends Scope | null = Scope | null> = (
  request: HttpRequest,
  context: ApiContext<S>,
) => Promise<HttpResponseInit>;

/** Who may call a route: anyone (the webhook, liveness, the API description) or a principal with a need. */
export type RouteAccess =
  | { readonly kind: 'open' }
  | { readonly kind: 'protected'; readonly need: Need; readonly scoped: boolean };
