import type { HttpHandler, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Container } from 'inversify';
import { withInvocation } from '../functions/invocationScope';
import { getAppContainer } from './appContainer';
import { ConfigError, configSchema, type RawConfig } from './config';

/** True inside the Azure Functions host, where `app.*` registrations take effect. */
export function insideFunctionsHost(): boolean {
  return Boolean(process.env.FUNCTIONS_WORKER_RUNTIME);
}

/**
 * A handler built on first use from the process-wide container. A failed start-up is not kept: the
 * next call starts again, so one transient fault at cold start (storage or the identity endpoint
 * not answering yet) does not fail every later call of the worker.
 */
function startedLazily<H>(build: (container: Container) => H): () => Promise<H> {
  let handler: Promise<H> | undefined;
  return () => {
    handler ??= getAppContainer().then(build);
    const current = handler;
    current.catch(() => {
      if (handler === current) handler = undefined;
    });
    return current;
  };
}

/**
 * The answer of an HTTP function that cannot start: 503 either way, ConfigurationInvalid naming the
 * settings to fix (the host indexed every function, so health and webhook say why), or StartupFailed
 * for anything else, which the next request retries.
 */
function startupFailureResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof ConfigError) {
    context.error(`configuration invalid: ${error.problems.join('; ')}`);
    return {
      status: 503,
      jsonBody: {
        error: 'ConfigurationInvalid',
        message: `the service's configuration is invalid: ${error.problems.join('; ')}`,
      },
    };
  }
  context.error('start-up failed', error);
  return {
    status: 503,
    headers: { 'Retry-After': '5' },
    jsonBody: { error: 'StartupFailed', message: 'the service could not start; the next request tries again' },
  };
}

/**
 * A queue or timer handler built on first use; a start-up failure is thrown (the message is abandoned,
 * retried). It runs as part of its invocation, so that its log lines reach the invocation's log.
 */
export function lazily<I, R>(
  build: (container: Container) => (input: I, context: InvocationContext) => R,
): (input: I, context: InvocationContext) => Promise<Awaited<R>> {
  const started = startedLazily(build);
  return (input, context) =>
    withInvocation(context, async (): Promise<Awaited<R>> => await (await started())(input, context));
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

/**
 * One setting as a trigger's binding needs it at registration, or its default when the value is
 * invalid: registering must never throw (the host would then index no function at all), and the
 * configuration error is answered by every call instead.
 */
export function settingForRegistration<K extends keyof RawConfig>(
  name: K,
  env: NodeJS.ProcessEnv = process.env,
): RawConfig[K] {
  const schema = configSchema.shape[name] as unknown as {
    safeParse(value: unknown): { success: boolean; data?: unknown };
    parse(value: unknown): unknown;
  };
  const raw = env[name] === '' ? undefined : env[name];
  const parsed = schema.safeParse(raw);
  return (parsed.success ? parsed.data : schema.parse(undefined)) as RawConfig[K];
}
