import type { Handler, PublishProperties } from './delivery.js';

/*
 * The narrow faces of the broker. Code depends on the one it uses, so a test can hand it the one
 * fake (test/support/fake-broker.ts) instead of casting an object to Broker.
 */

/** Publishes a persistent message to a named queue; resolves once the broker has confirmed it. */
export interface QueuePublisher {
  publish(queue: string, body: Buffer, properties: PublishProperties): Promise<void>;
}

/** Parks a work item in the retry queue of one interval, from which it returns to mhs.outbound. */
export interface RetryPublisher {
  publishRetry(intervalMs: number, body: Buffer, properties: PublishProperties): Promise<void>;
}

/** Consumes a queue with manual acks; the handler's answer settles each delivery. */
export interface QueueConsumer {
  consume(queue: string, handler: Handler, prefetch?: number): Promise<void>;
}

/** Transient events every instance hears (wake-ups of waiters); not durable. */
export interface EventBus {
  publishEvent(routingKey: string, body: Buffer): Promise<void>;
  onEvent(listener: (routingKey: string, body: Buffer) => void): void;
}
