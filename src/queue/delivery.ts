// What crosses the broker's faces: a message to publish, a delivery to handle, and how it settles.
import { createError } from '../errors/index.js';

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

/** RabbitMQ cannot be reached, or did not confirm, in time: nothing was queued. */
export class BrokerUnavailableError extends createError('BROKER_UNAVAILABLE', 503, 'RabbitMQ unavailable', {
  retryAfterSeconds: 5,
}) {}
