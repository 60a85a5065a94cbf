import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createApi } from '../api/index.js';
import { cabRequestSchemas } from '../cab/index.js';
import type { GatewayConfig } from '../config/index.js';
import { Waiters } from '../correlation/index.js';
import { startErsFhir } from '../ers-fhir/index.js';
import { createInboundServer, InboundPipeline } from '../inbound/index.js';
import {
  answerClientErrors,
  BodyBudget,
  httpServerOptions,
  MAX_HEADER_BYTES,
  protectListener,
  RefusalLog,
} from '../listeners/index.js';
import { createLogger, GatewayMetrics, instrumentStore, type Logger, OpsStateReader } from '../ops/index.js';
import { DeadLetters, OutboundSubmission } from '../outbound/index.js';
import { Broker, QUEUES, retryQueueName } from '../queue/index.js';
import { loadRouteTable } from '../routing/index.js';
import { TlsContext } from '../security/tls/index.js';
import { SigningPool } from '../security/xmldsig/index.js';
import { openStore } from '../store/index.js';
import { MtlsClient, parseProxy } from '../transport/index.js';
import { startMessaging } from './messaging.js';
import { type Closer, closeAll, closeServer, listen } from './servers.js';
import { apiAuth, dashboardSession, retentionSettings, retryIntervals, startSdsRouting } from './settings.js';

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
  const auth = apiAuth(config, logger);
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
  const closers: Closer[] = [stopWatching, () => store.close(), () => sds?.stop()];
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
    await startMessaging({ config, store, routes, broker, client, logger, retention }, closers);
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
      ...(signingPool ? { sign: signingPool.sign } : {}),
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
      { ...httpServerOptions(config.api.connections), maxHeaderSize: MAX_HEADER_BYTES },
      api,
    );
    protectListener(
      apiHttp,
      config.api.connections,
      new RefusalLog(logger, 'api', config.logging.refusalIntervalMs),
      { tls: false },
    );
    // The PAS gets a problem body for HTTP it sent that cannot be parsed, never an empty 400.
    answerClientErrors(apiHttp, (problem) => ({
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', ...problem }),
    }));
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
