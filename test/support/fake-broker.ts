import type {
  Delivery,
  Disposition,
  EventBus,
  Handler,
  PublishProperties,
  QueueConsumer,
  QueuePublisher,
  RetryPublisher,
} from '../../src/queue/index.js';

export interface Published {
  queue: string;
  body: Buffer;
  properties: PublishProperties;
}

/**
 * The one in-memory broker for unit tests: records what is published, lets a test deliver to a
 * consumer and see its disposition, and can be told to fail the next publishes.
 */
export class FakeBroker implements QueuePublisher, RetryPublisher, QueueConsumer, EventBus {
  readonly published: Published[] = [];
  readonly events: { routingKey: string; body: Buffer }[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners: ((routingKey: string, body: Buffer) => void)[] = [];
  private failures = 0;

  private failure?: () => Error;

  /** The next `count` publishes reject (with `error`, if given), as a broker that is down would. */
  failNextPublishes(count = 1, error?: () => Error): void {
    this.failures = count;
    this.failure = error;
  }

  async publish(queue: string, body: Buffer, properties: PublishProperties): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw this.failure?.() ?? new Error('fake broker: publish refused');
    }
    this.published.push({ queue, body, properties });
  }

  async publishRetry(intervalMs: number, body: Buffer, properties: PublishProperties): Promise<void> {
    await this.publish(`mhs.retry.${intervalMs}`, body, properties);
  }

  async consume(queue: string, handler: Handler): Promise<void> {
    this.handlers.set(queue, handler);
  }

  async publishEvent(routingKey: string, body: Buffer): Promise<void> {
    this.events.push({ routingKey, body });
    for (const listener of this.listeners) listener(routingKey, body);
  }

  onEvent(listener: (routingKey: string, body: Buffer) => void): void {
    this.listeners.push(listener);
  }

  /** Hands a message to the consumer of `queue` and returns what it decided. */
  async deliver(queue: string, delivery: Partial<Delivery> & { body: Buffer }): Promise<Disposition> {
    const handler = this.handlers.get(queue);
    if (!handler) throw new Error(`fake broker: nothing consumes ${queue}`);
    return handler({ headers: {}, redelivered: false, ...delivery });
  }

  /** What was published to `queue`, bodies parsed as JSON. */
  json(queue: string): unknown[] {
    return this.published.filter((p) => p.queue === queue).map((p) => JSON.parse(p.body.toString('utf8')));
  }
}
