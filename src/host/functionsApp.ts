import './compileCache';
import { app, type HttpMethod } from '@azure/functions';
import {
  httpFunctions,
  RETENTION_SCHEDULE,
  reconcileFunction,
  reconcileSchedule,
  retentionFunction,
  syncWorkerFunction,
  warmupFunction,
} from '../functions/index';
import { insideFunctionsHost, lazily, lazilyHttp, settingForRegistration } from './functionsStartup';

/**
 * The Azure Functions host's entry (`package.json` `main`): registers every function `src/functions`
 * defines with the runtime, each built on first use from the process-wide container. Settings a
 * binding needs are read one by one at registration, falling back to their defaults: registering must
 * never throw, so a configuration error is answered by every call instead of hiding every function.
 */
export function registerFunctionsApp(): void {
  // Zip downloads stream, and request bodies reach handlers unread (read after authentication).
  app.setup({ enableHttpStream: true });
  const routesWithPreflight = new Set<string>();
  for (const definition of httpFunctions) {
    // One function per route also takes OPTIONS, so that preflights reach the guard (two would clash).
    const first = !routesWithPreflight.has(definition.route);
    routesWithPreflight.add(definition.route);
    app.http(definition.name, {
      route: definition.route,
      methods: first ? [...definition.methods, 'OPTIONS' as HttpMethod] : [...definition.methods],
      authLevel: definition.authLevel,
      handler: lazilyHttp(definition.build),
    });
  }
  app.serviceBusQueue(syncWorkerFunction.name, {
    queueName: settingForRegistration('SYNC_QUEUE_NAME'),
    connection: settingForRegistration('SERVICEBUS_CONNECTION_SETTING'),
    handler: lazily(syncWorkerFunction.build),
  });
  const reconcileMinutes = settingForRegistration('RECONCILE_INTERVAL_MINUTES');
  if (reconcileMinutes > 0) {
    app.timer(reconcileFunction.name, {
      schedule: reconcileSchedule(reconcileMinutes),
      runOnStartup: false,
      handler: lazily(reconcileFunction.build),
    });
  }
  app.timer(retentionFunction.name, {
    schedule: RETENTION_SCHEDULE,
    runOnStartup: false,
    handler: lazily(retentionFunction.build),
  });
  // Premium plan: runs on each instance a scale-out adds, before it takes traffic (builds the container).
  app.warmup(warmupFunction.name, { handler: lazily(warmupFunction.build) });
}

if (insideFunctionsHost()) registerFunctionsApp();
