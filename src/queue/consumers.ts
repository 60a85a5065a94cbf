// The consumers of this client: one channel each with bounded prefetch and manual acks, resumed
// after every reconnect, and counted in flight so a graceful stop can wait for them to settle.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import type { BrokerLogger, Delivery, Disposition, Handler } from './delivery.js';

export interface Subscription {
  queue: string;
  prefetch: number;
  handler: Handler;
  channel?: Channel;
  consumerTag?: string;
}

/** Runs a subscription's handler and decides how the delivery settles (see settle.ts). */
export type Settle = (
  subscription: Subscription,
  delivery: Delivery,
  deliveries: number,
) => Promise<Disposition>;

export class Consumers {
  private readonly subscriptions: Subscription[] = [];
  /** Deliveries whose handler has not settled yet. */
  private inFlight = 0;
  /** Set by stop: a reconnect does not resume consumers. */
  private draining = false;

  constructor(
    private readonly logger: BrokerLogger,
    private readonly settle: Settle,
  ) {}

  /** Adds a consumer, started now on `model` when connected (otherwise on the next connection). */
  async add(subscription: Subscription, model: ChannelModel | undefined): Promise<void> {
    this.subscriptions.push(subscription);
    if (model) await this.subscribe(model, subscription);
  }

  /** On a new connection: starts every consumer again, unless stopping. */
  async resume(model: ChannelModel): Promise<void> {
    if (this.draining) return;
    for (const subscription of this.subscriptions) await this.subscribe(model, subscription);
  }

  /** Cancels every consumer, then waits up to `timeoutMs` for the deliveries in flight to settle. */
  async stop(timeoutMs: number): Promise<{ unfinished: number }> {
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

  private async subscribe(model: ChannelModel, subscription: Subscription): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error) =>
      this.logger.warn({ err: String(error), queue: subscription.queue }, 'consumer channel error'),
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
    const delivery = toDelivery(message);
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
}

export function toDelivery(message: Message): Delivery {
  return {
    body: message.content,
    messageId: message.properties.messageId as string | undefined,
    correlationId: message.properties.correlationId as string | undefined,
    type: message.properties.type as string | undefined,
    contentType: message.properties.contentType as string | undefined,
    headers: (message.properties.headers ?? {}) as Record<string, unknown>,
    redelivered: message.fields.redelivered,
  };
}
