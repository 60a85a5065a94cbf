import type { Server } from 'node:http';
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { type ApiAuth, createApi, loadApiKeys } from '../api/index.js';
import { cabRequestSchemas } from '../cab/index.js';
import type { GatewayConfig } from '../config/index.js';
import { CorrelationConsumer, Waiters } from '../correlation/index.js';
import { createInboundServer, InboundPipeline } from '../inbound/index.js';
import { createLogger, type Logger } from '../ops/index.js';
import { MtlsClient, OutboundSubmission, SendWorker } from '../outbound/index.js';
import { Broker } from '../queue/index.js';
import { loadRouteTable } from '../routing/index.js';
import { TlsContext } from '../security/tls/index.js';
import { openStore } from '../store/index.js';

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
  const tls = new TlsContext(config.tls);
  // Read before anything opens, so a missing keys file stops start-up with one line.
  const auth: ApiAuth =
    config.api.auth.mode === 'api-key'
      ? { mode: 'api-key', keys: loadApiKeys(config.api.auth.keysFile) }
      : { mode: 'none' };
  if (auth.mode === 'none') logger.warn({}, 'API authentication is OFF (api.auth.mode is none)');
  // Opened before anything that needs closing, so an unreachable database stops start-up with nothing to undo.
  const store = await openStore(config.store, {
    onPoolError: (error) =>
      logger.warn({ err: error.message }, 'store connection lost; reconnecting on next use'),
  });
  const stopWatching = tls.watch();
  tls.onReload((loaded) => logger.info({ validTo: loaded.certificate.validTo }, 'TLS certificates reloaded'));
  tls.onReloadError((error) =>
    logger.error({ err: error.message }, 'TLS reload refused; keeping the current certificates'),
  );
  const broker = new Broker(config.amqp.url, { instanceId, logger });
  const closers: (() => Promise<void> | void)[] = [stopWatching, () => store.close()];
  try {
    await broker.start();
    closers.unshift(() => broker.close());
    const client = new MtlsClient(tls, config.outbound.requestTimeoutMs);
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
    });
    await new SendWorker({ store, broker, client, logger, prefetch: config.amqp.prefetch }).start();
    await new CorrelationConsumer({ store, broker, logger, prefetch: config.amqp.prefetch }).start();
    const waiters = new Waiters(broker);
    const pipeline = new InboundPipeline({
      partyKey: config.partyKey,
      routes,
      store,
      broker,
      logger,
      trusted: () => tls.current.caCertificates,
      signingIdentity: () => ({ privateKey: tls.current.privateKey, certificate: tls.current.certificate }),
      requireSignature: config.inbound.requireSignature,
      maxParts: config.inbound.maxParts,
    });
    if (config.inbound.allowedClients.length === 0) {
      logger.warn(
        {},
        'inbound.allowedClients is empty: any certificate issued by the configured CA may send for any party',
      );
    }
    const inbound = createInboundServer({
      allowedClients: config.inbound.allowedClients,
      tls,
      pipeline,
      maxBodyBytes: config.inbound.maxBodyBytes,
      logger,
    });
    const api = createApi({
      logger,
      routes,
      store,
      submission,
      waiters,
      asid: config.asid,
      processingCode: config.processingCode,
      cabSchemas: cabRequestSchemas(),
      maxRequestBytes: config.inbound.maxBodyBytes,
      maxBodyBytes: config.api.maxBodyBytes,
      auth,
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
    const apiServer = await listen(http.createServer(api), config.api.port, config.api.host);
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

function listen<T extends Server | https.Server>(server: T, port: number, host: string): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
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
