import { AmqpConnection } from './connection.js';
import { Consumers } from './consumers.js';
import type { BrokerLogger, Handler, PublishProperties } from './delivery.js';
import { type EventListener, EventListeners } from './events.js';
import type { EventBus, QueueConsumer, QueuePublisher, RetryPublisher } from './ports.js';
import { publishConfirmed } from './publish.js';
import { RetryQueues } from './retry-queues.js';
import { settleDelivery } from './settle.js';
import { declareTopology, EVENTS_EXCHANGE } from './topology.js';

export interface BrokerOptions {
  instanceId: string;
  logger: BrokerLogger;
  connectTimeoutMs?: number;
  /** Deliveries after which a failing message is parked on mhs.dead-letter (default 10). */
  maxDeliveries?: number;
  /** Longest pause before requeueing a failed message (default 30 s). */
  maxRequeueDelayMs?: number;
}

/**
 * The gateway's RabbitMQ client: one long-lived connection (connection.ts) with a confirm channel
 * for publishing (publish.ts), one channel per consumer (consumers.ts, settling through
 * settle.ts), the retry queues (retry-queues.ts) and the instance's event queue (events.ts). A
 * reconnect re-declares the topology and resumes every consumer.
 */
export class Broker implements QueuePublisher, RetryPublisher, QueueConsumer, EventBus {
  private readonly connection: AmqpConnection;
  private readonly consumers: Consumers;
  private readonly events: EventListeners;
  private readonly retryQueues = new RetryQueues();

  constructor(
    url: string,
    private readonly options: BrokerOptions,
  ) {
    this.events = new EventListeners(options.instanceId);
    this.consumers = new Consumers(options.logger, (subscription, delivery, deliveries) =>
      settleDelivery({ ...options, publisher: this }, subscription, delivery, deliveries),
    );
    this.connection = new AmqpConnection(url, options, {
      declare: async (channel) => {
        await declareTopology(channel);
        await this.retryQueues.redeclare(channel);
      },
      resume: async (model) => {
        await this.events.listen(model);
        await this.consumers.resume(model);
      },
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** Connects (retrying until connectTimeoutMs) and declares the topology. */
  async start(): Promise<void> {
    await this.connection.ensure(this.options.connectTimeoutMs ?? 30_000);
  }

  /** Publishes persistently and resolves only when the broker has confirmed the message. */
  async publish(queue: string, body: Buffer, properties: PublishProperties): Promise<void> {
    const channel = await this.connection.publisher();
    await publishConfirmed(channel, { exchange: '', routingKey: queue, persistent: true }, body, properties);
  }

  /**
   * Publishes to the retry queue for `intervalMs` (declared on first use): the entry comes back to
   * mhs.outbound after exactly that long, in order with every other entry of that interval.
   */
  async publishRetry(intervalMs: number, body: Buffer, properties: PublishProperties): Promise<void> {
    await this.publish(await this.declareRetryInterval(intervalMs), body, properties);
  }

  /** Declares the retry queue for `intervalMs` now (start-up declares one per route interval). */
  async declareRetryInterval(intervalMs: number): Promise<string> {
    return this.retryQueues.declare(intervalMs, this.connection);
  }

  /** Publishes a transient event for every instance (waking waiters); not a durable promise. */
  async publishEvent(routingKey: string, body: Buffer): Promise<void> {
    const channel = await this.connection.publisher();
    await publishConfirmed(channel, { exchange: EVENTS_EXCHANGE, routingKey, persistent: false }, body, {
      messageId: routingKey,
    });
  }

  /** Calls `listener` for every event published by any instance. */
  onEvent(listener: EventListener): void {
    this.events.add(listener);
  }

  /** Consumes a queue with manual acks and bounded prefetch, resumed after every reconnect. */
  async consume(queue: string, handler: Handler, prefetch = 20): Promise<void> {
    await this.consumers.add({ queue, prefetch, handler }, this.connection.current);
  }

  async queueDepth(queue: string): Promise<{ messages: number; consumers: number }> {
    const info = await this.connection.withChannel((channel) => channel.checkQueue(queue));
    return { messages: info.messageCount, consumers: info.consumerCount };
  }

  async purge(queue: string): Promise<void> {
    await this.connection.withChannel((channel) => channel.purgeQueue(queue));
  }

  /**
   * Graceful stop, first step: take no more deliveries (cancel every consumer), then wait up to
   * `timeoutMs` for the handlers already running to finish and settle their messages. Publishing
   * still works meanwhile. Unfinished deliveries are redelivered to another instance after close.
   */
  async stopConsuming(timeoutMs: number): Promise<{ unfinished: number }> {
    return this.consumers.stop(timeoutMs);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
