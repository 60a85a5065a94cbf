import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { createError } from '../errors/index.js';
import { QueueContractError } from './contract.js';
import type { EventBus, QueueConsumer, QueuePublisher, RetryPublisher } from './ports.js';
import {
  declareRetryQueue,
  declareTopology,
  EVENTS_EXCHANGE,
  eventQueueName,
  QUEUES,
  retryQueueName,
} from './topology.js';

export interface PublishProperties {
  messageId: string;
  correlationId?: string;
  /** Interaction id. */
  type?: string;
  contentType?: string;
  headers?: Record<string, string | number | boolean | undefined>;
  /** Milliseconds before a message in a TTL queue dead-letters onwards. */
  expiration?: number;
}

export interface Delivery {
  body: Buffer;
  messageId?: string;
  correlationId?: string;
  type?: string;
  contentType?: string;
  headers: Record<string, unknown>;
  redelivered: boolean;
}

/** What a consumer wants done with a delivery once its handler returns. */
export type Disposition = 'ack' | 'requeue' | 'reject';
export type Handler = (delivery: Delivery) => Promise<Disposition>;

export interface BrokerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface Subscription {
  queue: string;
  prefetch: number;
  handler: Handler;
  channel?: Channel;
  consumerTag?: string;
}

/** RabbitMQ cannot be reached, or did not confirm, in time: nothing was queued. */
export class BrokerUnavailableError extends createError('BROKER_UNAVAILABLE', 503, 'RabbitMQ unavailable', {
  retryAfterSeconds: 5,
}) {}

/**
 * One long-lived AMQP connection: a confirm channel for publishing, one channel per consumer, and
 * a reconnect loop with backoff that re-declares the topology and resumes every consumer.
 */
export class Broker implements QueuePublisher, RetryPublisher, QueueConsumer, EventBus {
  private model?: ChannelModel;
  private publisher?: ConfirmChannel;
  private readonly subscriptions: Subscription[] = [];
  private connecting?: Promise<void>;
  /** Deliveries whose handler has not settled yet. */
  private inFlight = 0;
  /** Set by stopConsuming: a reconnect does not resume consumers. */
  private draining = false;
  private closed = false;
  private eventHandlers: ((routingKey: string, body: Buffer) => void)[] = [];
  /** Retry intervals whose queue this connection has declared (re-declared after a reconnect). */
  private readonly retryIntervals = new Set<number>();
  private declaredRetryIntervals = new Set<number>();

  constructor(
    private readonly url: string,
    private readonly options: {
      instanceId: string;
      logger: BrokerLogger;
      connectTimeoutMs?: number;
      /** Deliveries after which a failing message is parked on mhs.dead-letter (default 10). */
      maxDeliveries?: number;
      /** Longest pause before requeueing a failed message (default 30 s). */
      maxRequeueDelayMs?: number;
    },
  ) {}

  get connected(): boolean {
    return this.publisher !== undefined;
  }

  /** Connects (retrying until connectTimeoutMs) and declares the topology. */
  async start(): Promise<void> {
    await this.ensureConnected(this.options.connectTimeoutMs ?? 30_000);
  }

  /** Publishes persistently and resolves only when the broker has confirmed the message. */
  async publish(queue: string, body: Buffer, properties: PublishProperties): Promise<void> {
    await this.publishTo('', queue, body, properties);
  }

  /**
   * Publishes to the retry queue for `intervalMs` (declared on first use): the entry comes back to
   * mhs.outbound after exactly that long, in order with every other entry of that interval.
   */
  async publishRetry(intervalMs: number, body: Buffer, properties: PublishProperties): Promise<void> {
    const queue = await this.declareRetryInterval(intervalMs);
    await this.publishTo('', queue, body, properties);
  }

  /** Declares the retry queue for `intervalMs` now (start-up declares one per route interval). */
  async declareRetryInterval(intervalMs: number): Promise<string> {
    this.retryIntervals.add(intervalMs);
    const model = await this.requireModel();
    if (!this.declaredRetryIntervals.has(intervalMs)) {
      const channel = await model.createChannel();
      try {
        await declareRetryQueue(channel, intervalMs);
      } finally {
        await channel.close().catch(() => undefined);
      }
      this.declaredRetryIntervals.add(intervalMs);
    }
    return retryQueueName(intervalMs);
  }

  /** Publishes a transient event for every instance (waking waiters); not a durable promise. */
  async publishEvent(routingKey: string, body: Buffer): Promise<void> {
    await this.publishTo(EVENTS_EXCHANGE, routingKey, body, { messageId: routingKey }, false);
  }

  /** Calls `listener` for every event published by any instance. */
  onEvent(listener: (routingKey: string, body: Buffer) => void): void {
    this.eventHandlers.push(listener);
  }

  /** Consumes a queue with manual acks and bounded prefetch, resumed after every reconnect. */
  async consume(queue: string, handler: Handler, prefetch = 20): Promise<void> {
    const subscription: Subscription = { queue, prefetch, handler };
    this.subscriptions.push(subscription);
    if (this.model) await this.subscribe(this.model, subscription);
  }

  async queueDepth(queue: string): Promise<{ messages: number; consumers: number }> {
    const model = await this.requireModel();
    const channel = await model.createChannel();
    try {
      const info = await channel.checkQueue(queue);
      return { messages: info.messageCount, consumers: info.consumerCount };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async purge(queue: string): Promise<void> {
    const model = await this.requireModel();
    const channel = await model.createChannel();
    try {
      await channel.purgeQueue(queue);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Graceful stop, first step: take no more deliveries (cancel every consumer), then wait up to
   * `timeoutMs` for the handlers already running to finish and settle their messages. Publishing
   * still works meanwhile. Unfinished deliveries are redelivered to another instance after close.
   */
  async stopConsuming(timeoutMs: number): Promise<{ unfinished: number }> {
    this.draining = true;
    for (const subscription of this.subscriptions) {
      if (subscription.channel && subscription.consumerTag) {
        await subscription.channel.cancel(subscription.consumerTag).catch(() => undefined);
      }
    }
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(25);
    return { unfinished: this.inFlight };
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.model = undefined;
    this.publisher = undefined;
    await model?.close().catch(() => undefined);
  }

  private async publishTo(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: PublishProperties,
    persistent = true,
  ): Promise<void> {
    await this.ensureConnected(5_000);
    const channel = this.publisher;
    if (!channel) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const headers = Object.fromEntries(
      Object.entries(properties.headers ?? {}).filter(([, v]) => v !== undefined),
    );
    await new Promise<void>((resolve, reject) => {
      try {
        channel.publish(
          exchange,
          routingKey,
          body,
          {
            persistent,
            messageId: properties.messageId,
            correlationId: properties.correlationId,
            type: properties.type,
            contentType: properties.contentType ?? 'application/json',
            headers,
            timestamp: Math.floor(Date.now() / 1000),
            ...(properties.expiration !== undefined ? { expiration: String(properties.expiration) } : {}),
          },
          (error) =>
            error ? reject(new BrokerUnavailableError(`RabbitMQ did not confirm: ${error}`)) : resolve(),
        );
      } catch (error) {
        reject(new BrokerUnavailableError(`RabbitMQ publish failed: ${(error as Error).message}`));
      }
    });
  }

  private async requireModel(): Promise<ChannelModel> {
    await this.ensureConnected(5_000);
    if (!this.model) throw new BrokerUnavailableError('RabbitMQ is not connected');
    return this.model;
  }

  private async ensureConnected(timeoutMs: number): Promise<void> {
    if (this.publisher) return;
    if (this.closed) throw new BrokerUnavailableError('broker client is closed');
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerUnavailableError(`RabbitMQ not reachable within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    for (;;) {
      if (this.closed) throw new BrokerUnavailableError('broker client is closed');
      try {
        await this.connectOnce();
        return;
      } catch (error) {
        this.options.logger.warn({ err: String(error), retryInMs: delay }, 'RabbitMQ connection failed');
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const model = await amqp.connect(this.url, {
      clientProperties: { connection_name: `mhs-gateway ${this.options.instanceId}` },
    });
    try {
      const setup = await model.createChannel();
      await declareTopology(setup);
      // A new connection may be to a broker that lost them (a fresh node): declare them again.
      this.declaredRetryIntervals = new Set();
      for (const interval of this.retryIntervals) await declareRetryQueue(setup, interval);
      this.declaredRetryIntervals = new Set(this.retryIntervals);
      await setup.close();
      const publisher = await model.createConfirmChannel();
      publisher.on('error', () => undefined);
      model.on('error', (error) =>
        this.options.logger.warn({ err: String(error) }, 'RabbitMQ connection error'),
      );
      model.on('close', () => this.onConnectionLost(model));
      this.model = model;
      this.publisher = publisher;
      await this.subscribeEvents(model);
      if (!this.draining)
        for (const subscription of this.subscriptions) await this.subscribe(model, subscription);
      this.options.logger.info({ instanceId: this.options.instanceId }, 'RabbitMQ connected');
    } catch (error) {
      await model.close().catch(() => undefined);
      this.model = undefined;
      this.publisher = undefined;
      throw error;
    }
  }

  private onConnectionLost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.publisher = undefined;
    if (this.closed) return;
    this.options.logger.warn({}, 'RabbitMQ connection lost; reconnecting');
    // Node timers cap at 2^31-1 ms; a larger wait would fire at once (TimeoutOverflowWarning).
    this.ensureConnected(2_147_483_647).catch(() => undefined);
  }

  private async subscribe(model: ChannelModel, subscription: Subscription): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error) =>
      this.options.logger.warn({ err: String(error), queue: subscription.queue }, 'consumer channel error'),
    );
    await channel.prefetch(subscription.prefetch);
    subscription.channel = channel;
    const { consumerTag } = await channel.consume(subscription.queue, (message) => {
      if (!message) return; // cancelled by the broker; the reconnect resubscribes
      this.dispatch(channel, subscription, message);
    });
    subscription.consumerTag = consumerTag;
  }

  private dispatch(channel: Channel, subscription: Subscription, message: ConsumeMessage): void {
    const delivery: Delivery = {
      body: message.content,
      messageId: message.properties.messageId as string | undefined,
      correlationId: message.properties.correlationId as string | undefined,
      type: message.properties.type as string | undefined,
      contentType: message.properties.contentType as string | undefined,
      headers: (message.properties.headers ?? {}) as Record<string, unknown>,
      redelivered: message.fields.redelivered,
    };
    const deliveries = Number(delivery.headers['x-delivery-count'] ?? 0) + 1;
    this.inFlight += 1;
    void this.settle(subscription, delivery, deliveries).then((disposition) => {
      this.inFlight -= 1;
      try {
        if (disposition === 'ack') channel.ack(message);
        else channel.nack(message, false, disposition === 'requeue');
      } catch {
        // The channel closed meanwhile; the broker redelivers the unacked message.
      }
    });
  }

  /**
   * Runs the handler. A failure is requeued after a growing pause (transient outages recover); a
   * message that has failed `maxDeliveries` times, or whose body breaks its queue's contract, is
   * parked on mhs.dead-letter with its error, never looped for ever.
   */
  private async settle(
    subscription: Subscription,
    delivery: Delivery,
    deliveries: number,
  ): Promise<Disposition> {
    try {
      return await subscription.handler(delivery);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const max = this.options.maxDeliveries ?? 10;
      // A body that breaks its queue's contract fails the same way on every delivery: park it now.
      if (deliveries >= max || error instanceof QueueContractError) {
        try {
          await this.publish(QUEUES.deadLetter, delivery.body, {
            messageId: delivery.messageId ?? 'unknown',
            correlationId: delivery.correlationId,
            type: delivery.type,
            contentType: delivery.contentType,
            headers: {
              reason:
                error instanceof QueueContractError
                  ? `refused by ${subscription.queue}: ${reason}`
                  : `failed ${deliveries} times in ${subscription.queue}: ${reason}`,
              queue: subscription.queue,
            },
          });
          this.options.logger.error(
            { err: reason, queue: subscription.queue, messageId: delivery.messageId, deliveries },
            'poison message parked on mhs.dead-letter',
          );
          return 'ack';
        } catch {
          return 'requeue';
        }
      }
      this.options.logger.error(
        { err: reason, queue: subscription.queue, messageId: delivery.messageId, deliveries },
        'consumer failed; requeueing after a pause',
      );
      await sleep(Math.min(250 * 2 ** (deliveries - 1), this.options.maxRequeueDelayMs ?? 30_000));
      return 'requeue';
    }
  }

  private async subscribeEvents(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    const queue = eventQueueName(this.options.instanceId);
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        for (const listener of this.eventHandlers) listener(message.fields.routingKey, message.content);
      },
      { noAck: true },
    );
  }
}
