import type { HttpHandler, HttpMethod, HttpRequest } from '@azure/functions';
import type { Container } from 'inversify';
import { isAllowed, type Need } from '../../domain/shared/Principal';
import { parseScope, type Scope } from '../../domain/shared/Scope';
import { TYPES } from '../../host/identifiers';
import type { Authenticator } from '../../ports/Authenticator';
import type { Logger } from '../../ports/Logger';
import { type HttpFunctionDefinition, registerHttpFunction } from '../definitions';
import type { ApiHandler, ScopeOf } from './apiContext';
import { faultResponse } from './faultResponse';
import { problem } from './problem';
import type { RouteDoc } from './routeDoc';

interface RouteSpec {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  readonly doc: RouteDoc;
}

interface ProtectedRouteSpec<Scoped extends boolean> extends RouteSpec {
  readonly need: Need;
  /** Scoped routes act on one scope: their handlers receive it parsed and checked, never null. */
  readonly scoped: Scoped;
  readonly build: (container: Container) => ApiHandler<ScopeOf<Scoped>>;
}

/** Header naming the organisation a request acts on, for routes without `{scope}` in the path. */
export const ORGANIZATION_HEADER = 'x-organization-id';

/**
 * A route behind Entra ID: the bearer token is validated, the scope resolved and the caller's
 * right to `need` on it checked before the handler runs; faults become 503/500 problems.
 */
export function defineApiRoute<Scoped extends boolean>(spec: ProtectedRouteSpec<Scoped>): HttpFunctionDefinition {
  return registerHttpFunction({
    name: spec.name,
    route: spec.route,
    methods: spec.methods,
    authLevel: 'anonymous',
    access: { kind: 'protected', need: spec.need, scoped: spec.scoped },
    doc: spec.doc,
    build: (container) => secure(spec, container),
  });
}

/** A route anyone may call; faults are still answered as problems. */
export function defineOpenRoute(
  spec: RouteSpec & { readonly build: (container: Container) => HttpHandler },
): HttpFunctionDefinition {
  return registerHttpFunction({
    name: spec.name,
    route: spec.route,
    methods: spec.methods,
    authLevel: 'anonymous',
    access: { kind: 'open' },
    doc: spec.doc,
    build: (container) => {
      const handler = spec.build(container);
      const logger = container.get<Logger>(TYPES.Logger);
      return async (request, invocation) => {
        try {
          return await handler(request, invocation);
        } catch (error) {
          return faultResponse(error, logger.child({ invocationId: invocation.invocationId, function: spec.name }));
        }
      };
    },
  });
}

function secure<Scoped extends boolean>(spec: ProtectedRouteSpec<Scoped>, container: Container): HttpHandler {
  const handler = spec.build(container);
  const authenticator = container.get<Authenticator>(TYPES.Authenticator);
  const logger = container.get<Logger>(TYPES.Logger);
  return async (request, invocation) => {
    const log = logger.child({ invocationId: invocation.invocationId, function: spec.name });
    try {
      const authentication = await authenticator.authenticate(request.headers.get('authorization'));
      if (!authentication.ok) {
        return problem(401, authentication.code, authentication.message, { 'www-authenticate': 'Bearer' });
      }
      const { principal } = authentication;
      let scope: Scope | null = null;
      if (spec.scoped) {
        const named = requestedScope(request);
        scope = parseScope(named);
        if (scope === null)
          return problem(
            400,
            'InvalidScope',
            `'${named.slice(0, 80)}' is not a scope: use GLOBAL or an organisation id (letters, digits, '-', '_')`,
          );
      }
      if (!isAllowed(principal, spec.need, scope)) {
        log.info({ subject: principal.subject, need: spec.need, scope }, 'access denied');
        return problem(403, 'Forbidden', forbiddenMessage(spec.need, scope));
      }
      // A scoped route got here with a parsed scope, an unscoped one with null: what ScopeOf<Scoped> says.
      const context = {
        principal,
        scope: scope as ScopeOf<Scoped>,
        log: log.child({ subject: principal.subject, ...(scope ? { scope } : {}) }),
      };
      return await handler(request, context);
    } catch (error) {
      return faultResponse(error, log);
    }
  };
}

/** The path's `{scope}` wins; else the organisation header; neither = GLOBAL. */
function requestedScope(request: HttpRequest): string {
  return request.params.scope ?? request.headers.get(ORGANIZATION_HEADER) ?? 'GLOBAL';
}

function forbiddenMessage(need: Need, scope: Scope | null): string {
  if (need === 'admin') return 'this operation needs the MSP admin role';
  const target =
    scope === null
      ? 'this resource'
      : scope === 'GLOBAL'
        ? 'the GLOBAL scope (MSP admins only)'
        : `organisation ${scope}`;
  return need === 'write'
    ? `you may not change ${target}: it needs the editor role and access to the organisation`
    : `you may not access ${target}`;
}
