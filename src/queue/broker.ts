import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpConnection } from './connection.js';
import { Consumers, toDelivery } from './consumers.js';
import type { BrokerLogger, Delivery, Handler, PublishProperties } from './delivery.js';
import { type EventListener, EventListeners } from './events.js';
import type { EventBus, QueueConsumer, QueuePublisher, RetryPublisher } from './ports.js';
import { publishConfirmed } from './publish.js';
import { RetryQueues } from './retry-queues.js';
import { settleDelivery } from './settle.js';
import { declareTopology, EVENTS_EXCHANGE } from './topology.js';

/** How often browse asks an empty queue again while it waits. */
const BROWSE_POLL_MS = 100;

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

  /**
   * Reads `queue` one message at a time (basic.get, no consumer), handing each to `onMessage`,
   * until `max` are read or none has come for `idleMs`. `take` acknowledges each; otherwise every
   * message read goes back to the queue, in order, when the read's channel closes. How many were read.
   */
  async browse(
    queue: string,
    { max, idleMs, take }: { max: number; idleMs: number; take: boolean },
    onMessage: (delivery: Delivery) => void,
  ): Promise<number> {
    return this.connection.withChannel(async (channel) => {
      let read = 0;
      let lastAt = Date.now();
      while (read < max) {
        const message = await channel.get(queue, { noAck: false });
        if (message === false) {
          if (Date.now() - lastAt >= idleMs) break;
          await sleep(BROWSE_POLL_MS);
          continue;
        }
        onMessage(toDelivery(message));
        if (take) channel.ack(message);
        read += 1;
        lastAt = Date.now();
      }
      return read;
    });
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
