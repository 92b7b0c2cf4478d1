import { InvocationContext } from '@azure/functions';
import { scopeFolder } from '../domain/shared/Scope';
import { clientConfigOf } from '../functions/clientConfig';
import { httpFunctions } from '../functions/index';
import { makeSyncWorkerHandler } from '../functions/syncWorker';
import { warmUp, warmUpDeps } from '../functions/warmup';
import type { Logger } from '../ports/Logger';
import { type BuiltContainer, buildContainer } from './buildContainer';
import { type Config, loadConfig } from './config';
import { loadConnectionSeeds } from './connectionSeeds';
import { TYPES } from './identifiers';
import { type LocalServer, startLocalServer } from './localServer';
import { assertPortFree } from './portCheck';
import { reportSeedOutcome, seedConnections } from './seedConnections';
import { defaultSiteRoot, loadStaticSite } from './staticSite';

const RETENTION_INTERVAL_MS = 24 * 3_600_000;
export interface LocalHost extends BuiltContainer {
  readonly config: Config;
  readonly server: LocalServer;
  /** Stops intake, lets the syncs in progress finish, then stops everything else. */
  stop(): Promise<void>;
}

/**
 * One process running everything: the HTTP handlers over node:http, the in-process queue drained into
 * the same worker handler the Functions host would call, and a reconcile of every connection at start.
 */
export async function startLocalHost(
  env: NodeJS.ProcessEnv = process.env,
  options: { logger?: Logger } = {},
): Promise<LocalHost> {
  const config = loadConfig(env);
  // Before anything starts: a second `npm start` is told to set PORT, not left to fail later.
  await assertPortFree(config.HOST, config.PORT);
  const built = await buildContainer(config, { env, ...options });
  const { container, lifecycle, logger } = built;
  try {
    // The webhook path is walked while the rest starts (as the Functions host's warmup trigger does on
    // a new instance), not by the first webhook. Not awaited: an unreachable store must not hold up
    // the start (or a stop), and the first webhook opens what is missing anyway. A connection the
    // seeding below writes meanwhile is not kept stale by it: a write through the connection cache
    // forgets what was read.
    void warmUp(warmUpDeps(container));
    const seeded = await seedConnections(
      container.get(TYPES.MetadataRepo),
      await loadConnectionSeeds(config),
      container.get(TYPES.Clock),
    );
    reportSeedOutcome(seeded, logger);
    const connections = seeded.declared;

    if (config.WORKER_ENABLED) {
      const consumer = container.get(TYPES.CommandConsumer);
      const worker = makeSyncWorkerHandler({ process: container.get(TYPES.ProcessSyncCommand), logger });
      await consumer.start(
        (message) =>
          worker(
            message.body,
            new InvocationContext({
              invocationId: globalThis.crypto.randomUUID(),
              functionName: 'syncWorker',
              triggerMetadata: {
                messageId: message.messageId,
                deliveryCount: message.deliveryCount,
                enqueuedTimeUtc: message.enqueuedAt.toISOString(),
              },
              logHandler: () => undefined,
            }),
          ),
        { concurrency: config.WORKER_CONCURRENCY },
      );
      lifecycle.onStop('sync worker', () => consumer.stop());
    } else {
      logger.info({}, 'WORKER_ENABLED=false: accepting webhooks only; another process consumes the queue');
    }

    const signIn = clientConfigOf(config);
    const site = await loadStaticSite(defaultSiteRoot(), {
      authorityOrigin: signIn.authMode === 'entra' ? new URL(signIn.authority).origin : null,
    });
    const server = await startLocalServer({
      functions: httpFunctions,
      container,
      host: config.HOST,
      port: config.PORT,
      logger,
      site,
    });
    lifecycle.onStop('http server', () => server.close());
    const baseUrl = config.PUBLIC_BASE_URL ? config.publicBaseUrl : server.url;
    logger.info(
      { url: `${server.url}/api`, workspaceRoot: config.workspaceRoot },
      `workspace-sync listening on ${server.url}/api`,
    );
    if (site) logger.info({ url: `${server.url}/` }, `web app at ${server.url}/`);
    else
      logger.info({ folder: defaultSiteRoot() }, 'web app not built (npm run build -w client): serving the API only');
    if (config.AUTH_MODE === 'development') {
      logger.warn(
        { host: config.HOST },
        'AUTH_MODE=development: every API request acts as a local MSP admin, without a token (loopback only; set AUTH_MODE=entra to require Entra ID tokens)',
      );
    }
    if (connections.length === 0)
      logger.info({}, `connect a scope with POST ${server.url}/api/github-connections (see README)`);
    for (const connection of connections) {
      logger.info(
        {
          scope: connection.scope,
          repository: connection.repository,
          branch: connection.branch,
          folder: scopeFolder(connection.scope),
        },
        `webhook for ${connection.scope}: ${baseUrl}/api/github/webhook/${connection.scope}`,
      );
    }
    const reconcile = container.get(TYPES.ReconcileConnections);
    if (config.RECONCILE_ON_START) await reconcile.execute();
    if (config.RECONCILE_INTERVAL_MINUTES > 0) {
      const timer = setInterval(() => {
        reconcile
          .execute()
          .catch((error: unknown) =>
            logger.warn({ error: String(error) }, 'reconcile failed; the next tick tries again'),
          );
      }, config.RECONCILE_INTERVAL_MINUTES * 60_000);
      timer.unref();
      lifecycle.onStop('reconcile timer', async () => clearInterval(timer));
    }
    // Retention, as the Functions host's daily timer does: once at start (not awaited), then every day.
    const prune = container.get(TYPES.PruneHistory);
    const pruneNow = () => {
      prune.execute().then(
        (deleted) => logger.info({ deleted }, 'retention: old runs and dead-letter decisions deleted'),
        (error: unknown) => logger.warn({ error: String(error) }, 'retention failed; the next day tries again'),
      );
    };
    pruneNow();
    const retentionTimer = setInterval(pruneNow, RETENTION_INTERVAL_MS);
    retentionTimer.unref();
    lifecycle.onStop('retention timer', async () => clearInterval(retentionTimer));

    return {
      ...built,
      config,
      server,
      stop: () =>
        lifecycle.stopAll((name, error) => logger.warn({ component: name, error: String(error) }, 'stop failed')),
    };
  } catch (error) {
    await lifecycle.stopAll();
    throw error;
  }
}
