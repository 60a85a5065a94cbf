import { z } from 'zod';
import { encodeBody, parseBody } from './contract.js';
import type { QueuePublisher, RetryPublisher } from './ports.js';
import { QUEUES } from './topology.js';

/**
 * A work item on mhs.outbound (and the retry queues that feed it back there): only the id. The
 * stored message is the truth, so a duplicated or stale entry is harmless: the worker reads the
 * store and its claim is fenced by the attempt count.
 */
export interface OutboundWorkItem {
  messageId: string;
}

const workItemSchema = z.object({ messageId: z.string().min(1) });

/** The stored message a work item names; its ids become AMQP properties monitoring can read. */
export interface OutboundWorkMessage {
  messageId: string;
  conversationId: string;
  interactionId: string;
}

/** Why an entry was queued again (sweeper, operator replay), for whoever reads the queue. */
export type OutboundWorkHeaders = { requeuedBy: string } | { replayedBy: string };

export function encodeOutboundWork(item: OutboundWorkItem): Buffer {
  return encodeBody({ messageId: item.messageId });
}

export function parseOutboundWork(body: Buffer): OutboundWorkItem {
  return parseBody(QUEUES.outbound, workItemSchema, body);
}

/** Queues `message` for the send worker; resolves once the broker has confirmed it. */
export async function queueOutboundWork(
  publisher: QueuePublisher,
  message: OutboundWorkMessage,
  headers?: OutboundWorkHeaders,
): Promise<void> {
  await publisher.publish(QUEUES.outbound, encodeOutboundWork(message), {
    ...workProperties(message),
    ...(headers ? { headers } : {}),
  });
}

/** Parks `message` in the retry queue of `intervalMs`, from which it returns to mhs.outbound. */
export async function queueOutboundRetry(
  retry: RetryPublisher,
  intervalMs: number,
  message: OutboundWorkMessage,
): Promise<void> {
  await retry.publishRetry(intervalMs, encodeOutboundWork(message), workProperties(message));
}

function workProperties(message: OutboundWorkMessage) {
  return {
    messageId: message.messageId,
    correlationId: message.conversationId,
    type: message.interactionId,
  };
}
