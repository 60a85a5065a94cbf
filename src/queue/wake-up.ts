import type { EventBus } from './ports.js';

/*
 * A wake-up on the events exchange: routing key `message.<messageId>`, body the state or signal
 * that ended the wait (text, for logs; waiters look again at the store). Every instance hears it,
 * so a caller waiting on POST wakes wherever it is held.
 */

const PREFIX = 'message.';

export function wakeUpKey(messageId: string): string {
  return `${PREFIX}${messageId}`;
}

/** The message a wake-up is about, or undefined for an event that is not a wake-up. */
export function parseWakeUp(
  routingKey: string,
  body: Buffer,
): { messageId: string; status: string } | undefined {
  if (!routingKey.startsWith(PREFIX) || routingKey.length === PREFIX.length) return undefined;
  return { messageId: routingKey.slice(PREFIX.length), status: body.toString('utf8') };
}

/**
 * Wakes whoever waits on `messageId`. Best effort, never throws: events are transient and the
 * waiters also poll the store, so a lost wake-up only delays an answer.
 */
export async function publishWakeUp(
  bus: Pick<EventBus, 'publishEvent'>,
  messageId: string,
  status: string,
): Promise<void> {
  await bus.publishEvent(wakeUpKey(messageId), Buffer.from(status)).catch(() => undefined);
}
