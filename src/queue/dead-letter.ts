import { z } from 'zod';
import { encodeBody, parseBody } from './contract.js';
import type { QueuePublisher } from './ports.js';
import { QUEUES } from './topology.js';

/**
 * What the send worker announces on mhs.dead-letter when it gives up on a message, for monitoring:
 * the store stays the record, and replaying or discarding a dead letter leaves the notice. (A
 * poison message any consumer failed on too often is parked there as it was, with headers
 * `reason` and `queue`: that copy is not a notice.)
 */
export interface DeadLetterNotice {
  messageId: string;
  reason: string;
}

const noticeSchema = z.object({ messageId: z.string().min(1), reason: z.string() });

export function encodeDeadLetterNotice(notice: DeadLetterNotice): Buffer {
  return encodeBody({ messageId: notice.messageId, reason: notice.reason });
}

export function parseDeadLetterNotice(body: Buffer): DeadLetterNotice {
  return parseBody(QUEUES.deadLetter, noticeSchema, body);
}

/** Announces a dead letter; the reason is a header too, so monitoring need not parse the body. */
export async function publishDeadLetterNotice(
  publisher: QueuePublisher,
  notice: DeadLetterNotice & { conversationId: string; interactionId: string },
): Promise<void> {
  await publisher.publish(QUEUES.deadLetter, encodeDeadLetterNotice(notice), {
    messageId: notice.messageId,
    correlationId: notice.conversationId,
    type: notice.interactionId,
    headers: { reason: notice.reason },
  });
}
