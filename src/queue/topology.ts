import type { Channel } from 'amqplib';

/** Queue names are part of the AMQP contract (DESIGN.md). */
export const QUEUES = {
  outbound: 'mhs.outbound',
  outboundRetry: 'mhs.outbound.retry',
  deadLetter: 'mhs.dead-letter',
  signals: 'mhs.signals',
  inbound: 'mhs.inbound',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const EVENTS_EXCHANGE = 'mhs.events';

export function eventQueueName(instanceId: string): string {
  return `mhs.events.${instanceId}`;
}

const quorum = { 'x-queue-type': 'quorum' };

/** Declares every durable queue and the events exchange; safe to repeat after a reconnect. */
export async function declareTopology(channel: Channel): Promise<void> {
  await channel.assertQueue(QUEUES.outbound, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.deadLetter, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.signals, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.inbound, { durable: true, arguments: quorum });
  // Retries wait here (per-message expiration) and dead-letter back to the work queue. At-least-once
  // dead-lettering needs reject-publish overflow (RabbitMQ 3.10).
  await channel.assertQueue(QUEUES.outboundRetry, {
    durable: true,
    arguments: {
      ...quorum,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': QUEUES.outbound,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
}
