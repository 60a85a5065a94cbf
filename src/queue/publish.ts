// Publishing on a confirm channel: a message counts as queued only once the broker confirms it.
import type { ConfirmChannel } from 'amqplib';
import { BrokerUnavailableError, type PublishProperties } from './delivery.js';

export interface PublishTarget {
  /** '' for the default exchange, where the routing key is the queue's name. */
  exchange: string;
  routingKey: string;
  /** Survives a broker restart (every queue message); events are transient. */
  persistent: boolean;
}

/** Resolves when the broker confirms the message; a refusal or a dead channel is BrokerUnavailableError. */
export function publishConfirmed(
  channel: Pick<ConfirmChannel, 'publish'>,
  target: PublishTarget,
  body: Buffer,
  properties: PublishProperties,
): Promise<void> {
  // AMQP headers cannot hold undefined: an absent header is left out.
  const headers = Object.fromEntries(
    Object.entries(properties.headers ?? {}).filter(([, v]) => v !== undefined),
  );
  return new Promise<void>((resolve, reject) => {
    try {
      channel.publish(
        target.exchange,
        target.routingKey,
        body,
        {
          persistent: target.persistent,
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
