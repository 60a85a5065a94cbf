// Start-up step: the message flow behind the listeners, from the outbox relay to the correlation
// consumer. Each part joins `closers` (newest first) as soon as it runs.
import type { GatewayConfig } from '../config/index.js';
import { CorrelationConsumer } from '../correlation/index.js';
import type { Logger } from '../ops/index.js';
import { DEFAULT_SWEEPER, SendWorker, Sweeper } from '../outbound/index.js';
import { NotificationRelay } from '../outbox/index.js';
import type { Broker } from '../queue/index.js';
import type { RouteTable } from '../routing/index.js';
import { type MessageStore, type RetentionSettings, startRetention } from '../store/index.js';
import type { MtlsClient } from '../transport/index.js';
import type { Closer } from './servers.js';

export interface MessagingParts {
  config: GatewayConfig;
  store: MessageStore;
  routes: RouteTable;
  broker: Broker;
  client: MtlsClient;
  logger: Logger;
  retention: RetentionSettings;
}

/** Starts the relay, the send worker, the sweeper, retention and the correlation consumer. */
export async function startMessaging(parts: MessagingParts, closers: Closer[]): Promise<void> {
  const { config, store, routes, broker, client, logger } = parts;
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
  closers.unshift(startRetention(store, parts.retention, logger));
  // Graceful stop: after the servers stop taking requests, take no more deliveries and let the
  // running handlers (a send in progress, a reply being correlated) finish before channels close.
  closers.unshift(async () => {
    const { unfinished } = await broker.stopConsuming(config.outbound.requestTimeoutMs + 5_000);
    if (unfinished > 0)
      logger.warn({ unfinished }, 'stopping with deliveries unfinished; RabbitMQ will redeliver them');
  });
  await new CorrelationConsumer({
    store,
    routes,
    broker,
    relay,
    logger,
    prefetch: config.amqp.prefetch,
  }).start();
}
