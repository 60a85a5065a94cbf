import type { Channel } from 'amqplib';

/** Queue names are part of the AMQP contract (README.md, docs/ers-fhir.md). */
export const QUEUES = {
  outbound: 'mhs.outbound',
  /** Before per-interval retry queues: no longer published to, kept declared so entries left in it still come back. */
  outboundRetry: 'mhs.outbound.retry',
  deadLetter: 'mhs.dead-letter',
  signals: 'mhs.signals',
  inbound: 'mhs.inbound',
  /** e-RS FHIR worklist events for the PAS (docs/ers-fhir.md). */
  referrals: 'mhs.referrals',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const EVENTS_EXCHANGE = 'mhs.events';

export function eventQueueName(instanceId: string): string {
  return `mhs.events.${instanceId}`;
}

const quorum = { 'x-queue-type': 'quorum' };

/**
 * The retry queue for one retry interval: `mhs.retry.<ms>`. Every entry in it waits the same time
 * (a queue TTL), so they expire in the order they came; RabbitMQ only expires from the head, so
 * one queue per interval is what lets a 200 ms retry overtake a 5 s one published before it.
 */
export function retryQueueName(intervalMs: number): string {
  if (!Number.isInteger(intervalMs) || intervalMs < 0)
    throw new RangeError(`retry interval must be a whole number of ms, got ${intervalMs}`);
  return `mhs.retry.${intervalMs}`;
}

/** Dead-letters expired entries back to mhs.outbound, at least once (needs reject-publish, RabbitMQ 3.10). */
const backToOutbound = {
  ...quorum,
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': QUEUES.outbound,
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
};

/** Declares the retry queue for `intervalMs`; safe to repeat. */
export async function declareRetryQueue(channel: Channel, intervalMs: number): Promise<string> {
  const name = retryQueueName(intervalMs);
  await channel.assertQueue(name, {
    durable: true,
    arguments: { ...backToOutbound, 'x-message-ttl': intervalMs },
  });
  return name;
}

/** Declares every durable queue and the events exchange; safe to repeat after a reconnect. */
export async function declareTopology(channel: Channel): Promise<void> {
  await channel.assertQueue(QUEUES.outbound, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.deadLetter, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.signals, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.inbound, { durable: true, arguments: quorum });
  await channel.assertQueue(QUEUES.referrals, { durable: true, arguments: quorum });
  // The single retry queue of old (per-message expiration): still drains back to the work queue.
  await channel.assertQueue(QUEUES.outboundRetry, { durable: true, arguments: backToOutbound });
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
}
