import type { Server } from 'node:http';
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { type ApiAuth, createApi, loadApiKeys } from '../api/index.js';
import { cabRequestSchemas } from '../cab/index.js';
import { ConfigError, type GatewayConfig } from '../config/index.js';
import { CorrelationConsumer, Waiters } from '../correlation/index.js';
import { startErsFhir } from '../ers-fhir/index.js';
import { createInboundServer, InboundPipeline } from '../inbound/index.js';
import { BodyBudget, httpServerOptions, protectListener, RefusalLog } from '../listeners/index.js';
import { createLogger, GatewayMetrics, instrumentStore, type Logger, OpsStateReader } from '../ops/index.js';
import { DEFAULT_SWEEPER, DeadLetters, OutboundSubmission, SendWorker, Sweeper } from '../outbound/index.js';
import { NotificationRelay } from '../outbox/index.js';
import { Broker, QUEUES, retryQueueName } from '../queue/index.js';
import {
  loadRouteTable,
  parseDuration,
  type RouteTable,
  SdsClient,
  SdsRouteRefresher,
} from '../routing/index.js';
import { TlsContext } from '../security/tls/index.js';
import { SigningPool } from '../security/xmldsig/index.js';
import { openStore, type RetentionSettings, startRetention } from '../store/index.js';
import { MtlsClient, type OutboundProxy, parseProxy } from '../transport/index.js';

export interface RunningGateway {
  apiPort: number;
  inboundPort: number;
  logger: Logger;
  close(): Promise<void>;
}

/** Starts every part of one gateway instance. Anything misconfigured fails here, before traffic. */
export async function startGateway(
  config: GatewayConfig,
  options: { logger?: Logger } = {},
): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logging);
  const instanceId = config.instanceId || `${hostname()}-${process.pid}`;
  const routes = loadRouteTable(config.interactionsFile, config.routesFile);
  const proxy = parseProxy(config.outbound.proxy);
  // The proxy's address is logged, its credentials never are.
  if (proxy) logger.info({ proxy: proxy.display, noProxy: proxy.noProxy }, 'outbound HTTPS through proxy');
  // SDS answers are laid over the routes file before anything reads a route (retention included).
  const sds = await startSdsRouting(config, routes, logger, proxy);
  const retention = retentionSettings(config, routes);
  const tls = new TlsContext(config.tls);
  // Read before anything opens, so a missing keys file stops start-up with one line.
  const auth: ApiAuth =
    config.api.auth.mode === 'api-key'
      ? { mode: 'api-key', keys: loadApiKeys(config.api.auth.keysFile) }
      : { mode: 'none' };
  if (auth.mode === 'none') logger.warn({}, 'API authentication is OFF (api.auth.mode is none)');
  // Opened before anything that needs closing, so an unreachable database stops start-up with nothing to undo.
  const metrics = new GatewayMetrics();
  // Every insert and transition is counted (messages, outcomes, retries, dead letters, latency).
  const store = instrumentStore(
    await openStore(config.store, {
      thread: true,
      onPoolError: (error) =>
        logger.warn({ err: error.message }, 'store connection lost; reconnecting on next use'),
    }),
    metrics,
  );
  const stopWatching = tls.watch();
  tls.onReload((loaded) => logger.info({ validTo: loaded.certificate.validTo }, 'TLS certificates reloaded'));
  tls.onReloadError((error) =>
    logger.error({ err: error.message }, 'TLS reload refused; keeping the current certificates'),
  );
  const broker = new Broker(config.amqp.url, { instanceId, logger });
  const opsState = new OpsStateReader({
    store,
    broker,
    certificate: () => tls.current.certificate,
    // The dashboard and metrics show each retry queue (mhs.retry.<ms>) beside the others.
    queues: [...Object.values(QUEUES), ...retryIntervals(routes).map(retryQueueName)],
  });
  metrics.readStateFrom(opsState);
  const closers: (() => Promise<void> | void)[] = [stopWatching, () => store.close(), () => sds?.stop()];
  try {
    await broker.start();
    // One retry queue per distinct retry interval (mhs.retry.<ms>), there before the first retry.
    for (const interval of retryIntervals(routes)) await broker.declareRetryInterval(interval);
    closers.unshift(() => broker.close());
    const signingPool = config.signing.workers > 0 ? new SigningPool(config.signing.workers) : undefined;
    if (signingPool) closers.unshift(() => signingPool.close());
    const client = new MtlsClient(tls, config.outbound.requestTimeoutMs, proxy);
    closers.unshift(() => client.close());
    const submission = new OutboundSubmission({
      partyKey: config.partyKey,
      asid: config.asid,
      routes,
      store,
      broker,
      signingIdentity: () =>
        config.signing.enabled
          ? { privateKey: tls.current.privateKey, certificate: tls.current.certificate }
          : undefined,
      signatureAlgorithm: config.signing.algorithm,
      ...(signingPool ? { sign: signingPool.sign } : {}),
    });
    // PAS notifications written with their transitions (the outbox) are published by one relay;
    // its sweep publishes what a crash or a broker outage left pending, under the same ids.
    const relay = new NotificationRelay({ store, broker, logger });
    relay.start();
    closers.unshift(() => relay.stop());
    await new SendWorker({
      store,
      broker,
      relay,
      client,
      logger,
      prefetch: config.amqp.prefetch,
      requestTimeoutMs: config.outbound.requestTimeoutMs,
    }).start();
    const sweeper = new Sweeper({
      store,
      broker,
      logger,
      settings: {
        ...DEFAULT_SWEEPER,
        ...config.outbound.sweeper,
        intervalMs: config.outbound.sweepIntervalMs,
        requestTimeoutMs: config.outbound.requestTimeoutMs,
      },
    });
    sweeper.start();
    closers.unshift(() => sweeper.stop());
    closers.unshift(startRetention(store, retention, logger));
    // Graceful stop: after the servers stop taking requests, take no more deliveries and let the
    // running handlers (a send in progress, a reply being correlated) finish before channels close.
    closers.unshift(async () => {
      const { unfinished } = await broker.stopConsuming(config.outbound.requestTimeoutMs + 5_000);
      if (unfinished > 0)
        logger.warn({ unfinished }, 'stopping with deliveries unfinished; RabbitMQ will redeliver them');
    });
    await new CorrelationConsumer({ store, broker, relay, logger, prefetch: config.amqp.prefetch }).start();
    const waiters = new Waiters(broker);
    // The e-RS FHIR side (docs/ers-fhir.md): worklist sync, referrals, attachments, decisions.
    const ersFhir = config.ersFhir.enabled
      ? startErsFhir(config.ersFhir, { store, broker, logger, registry: metrics.registry })
      : undefined;
    if (ersFhir) closers.unshift(() => ersFhir.close());
    const pipeline = new InboundPipeline({
      partyKey: config.partyKey,
      routes,
      store,
      broker,
      logger,
      trusted: () => tls.current.caCertificates,
      signingIdentity: () => ({ privateKey: tls.current.privateKey, certificate: tls.current.certificate }),
      requireSignature: config.inbound.requireSignature,
      validateSchema: config.inbound.validateSchema,
      maxParts: config.inbound.maxParts,
      onDuplicate: () => metrics.duplicateEliminated(),
    });
    if (config.inbound.allowedClients.length === 0) {
      logger.warn(
        {},
        'inbound.allowedClients is empty: any certificate issued by the configured CA may send for any party',
      );
    }
    // One budget for request bodies in memory, over both listeners.
    const bodyBudget = new BodyBudget(config.maxBufferedBodyBytes);
    const inbound = createInboundServer({
      allowedClients: config.inbound.allowedClients,
      tls,
      pipeline,
      maxBodyBytes: config.inbound.maxBodyBytes,
      connections: config.inbound.connections,
      bodyBudget,
      refusalIntervalMs: config.logging.refusalIntervalMs,
      logger,
    });
    const api = createApi({
      logger,
      routes,
      store,
      submission,
      deadLetters: new DeadLetters({ store, broker, submission, logger }),
      waiters,
      asid: config.asid,
      processingCode: config.processingCode,
      cabSchemas: cabRequestSchemas(),
      maxRequestBytes: config.inbound.maxBodyBytes,
      maxBodyBytes: config.api.maxBodyBytes,
      maxInFlight: config.api.maxInFlight,
      bodyBudget,
      refusalIntervalMs: config.logging.refusalIntervalMs,
      auth,
      ...(ersFhir ? { ers: ersFhir.services } : {}),
      ops: {
        metrics,
        dashboard: {
          store,
          state: opsState,
          metrics,
          showPatientData: config.dashboard.showPatientData,
          trustProxy: config.dashboard.trustProxy,
          session: dashboardSession(config),
          // Names come from the catalogue the routes were loaded from: one list, read where it lives.
          interactionName: (id) =>
            Object.hasOwn(routes.catalogue.interactions, id)
              ? routes.catalogue.interactions[id]!.name
              : undefined,
          ...(ersFhir ? { referrals: ersFhir.panel, referral: ersFhir.referral } : {}),
        },
      },
      readinessChecks: [
        {
          name: 'rabbitmq',
          check: () => {
            if (!broker.connected) throw new Error('RabbitMQ is not connected');
          },
        },
        { name: 'store', check: () => store.checkWritable() },
        {
          name: 'certificates',
          check: () => {
            const cert = tls.current.certificate;
            if (new Date(cert.validTo).getTime() < Date.now())
              throw new Error(`gateway certificate expired ${cert.validTo}`);
          },
        },
      ],
    });
    const inboundServer = await listen(inbound, config.inbound.port, config.inbound.host);
    closers.unshift(() => closeServer(inboundServer));
    const apiHttp = http.createServer(
      { ...httpServerOptions(config.api.connections), maxHeaderSize: 16_384 },
      api,
    );
    protectListener(
      apiHttp,
      config.api.connections,
      new RefusalLog(logger, 'api', config.logging.refusalIntervalMs),
      { tls: false },
    );
    const apiServer = await listen(apiHttp, config.api.port, config.api.host);
    closers.unshift(() => closeServer(apiServer));
    const running: RunningGateway = {
      apiPort: (apiServer.address() as AddressInfo).port,
      inboundPort: (inboundServer.address() as AddressInfo).port,
      logger,
      close: () => closeAll(closers),
    };
    logger.info(
      { instanceId, api: running.apiPort, inbound: running.inboundPort, partyKey: config.partyKey },
      'gateway started',
    );
    return running;
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** Looks every interaction up in SDS (when sds.url is set) and keeps doing so; undefined when off. */
async function startSdsRouting(
  config: GatewayConfig,
  routes: RouteTable,
  logger: Logger,
  proxy: OutboundProxy | undefined,
): Promise<SdsRouteRefresher | undefined> {
  if (!config.sds.url) return undefined;
  const client = new SdsClient({
    url: config.sds.url,
    apiKey: config.sds.apiKey,
    timeoutMs: Math.min(config.outbound.requestTimeoutMs, 10_000),
    proxy,
  });
  const refresher = new SdsRouteRefresher({
    routes,
    lookup: (id, service, odsCode) => client.lookupRoute(id, service, odsCode),
    receivingOdsCode: config.sds.odsCode,
    ownOdsCode: config.odsCode,
    forwardReliableEndpoint: config.sds.forwardReliableEndpoint,
    cacheMs: config.sds.cacheSeconds * 1000,
    logger,
  });
  // The URL is logged, the API key never is.
  logger.info({ url: config.sds.url, odsCode: config.sds.odsCode }, 'routing from SDS');
  await refresher.start();
  return refresher;
}

/**
 * Retention in milliseconds. Inbound records are the duplicate-elimination store, so they must
 * outlive the longest persist duration any route agrees to (ebms2 §3.5), or a late retry would be
 * delivered twice: a shorter setting stops start-up.
 */
function retentionSettings(config: GatewayConfig, routes: RouteTable): RetentionSettings {
  const finishedMs = parseDuration(config.retention.finishedMessages)!;
  const inboundMs = parseDuration(config.retention.inboundMessages)!;
  const longest = Math.max(...routes.routed().map((id) => routes.resolve(id).persistDurationMs));
  if (inboundMs < longest) {
    throw new ConfigError(
      `configuration key retention.inboundMessages (MHS_RETENTION_INBOUND_MESSAGES): ${config.retention.inboundMessages} is shorter than the longest route persist duration (${longest / 1000} s); duplicates could be delivered twice`,
    );
  }
  return { finishedMs, inboundMs, intervalMs: config.retention.intervalMs };
}

function listen<T extends Server | https.Server>(server: T, port: number, host: string): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stops taking connections, lets requests in progress finish (up to `graceMs`), then closes the rest. */
function closeServer(server: Server | https.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections?.(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

async function closeAll(closers: (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Closing is best effort; one failure must not keep the rest open.
    }
  }
}

/** The retry intervals of every route that may be retried (SDS may add others; they are declared on use). */
function retryIntervals(routes: RouteTable): number[] {
  const intervals = new Set<number>();
  for (const id of routes.routed()) {
    const route = routes.resolve(id);
    if (route.direction !== 'inbound' && route.reliability.retries > 0) intervals.add(route.retryIntervalMs);
  }
  return [...intervals].sort((a, b) => a - b);
}

/** dashboard.session in milliseconds (the schema has checked both are ISO durations over zero). */
function dashboardSession(config: GatewayConfig): { idleMs: number; lifetimeMs: number } {
  return {
    idleMs: parseDuration(config.dashboard.session.idleTimeout)!,
    lifetimeMs: parseDuration(config.dashboard.session.lifetime)!,
  };
}
