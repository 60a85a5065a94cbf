import { z } from 'zod';
import { encodeBody, parseBody } from './contract.js';
import type { QueuePublisher } from './ports.js';
import { QUEUES } from './topology.js';

/** What the PAS reads from mhs.inbound (the AMQP contract in DESIGN.md). */
export interface PasMessage {
  kind: 'request' | 'reply' | 'application-ack' | 'error';
  interactionId: string;
  messageId: string;
  conversationId: string;
  refToMessageId?: string;
  receivedAt: string;
  /** The mapped domain JSON. */
  data: unknown;
  /** The raw HL7 payload, when there is one. */
  hl7?: string;
  attachments: { contentId: string; contentType: string; description?: string; base64: string }[];
  /** True when the message answers nothing we know of (an orphan reply). */
  unmatched?: boolean;
}

const pasMessageSchema = z.object({
  kind: z.enum(['request', 'reply', 'application-ack', 'error']),
  interactionId: z.string().min(1),
  messageId: z.string().min(1),
  conversationId: z.string(),
  refToMessageId: z.string().optional(),
  receivedAt: z.string(),
  // JSON drops a data left undefined: a body without it is still well-formed.
  data: z.unknown().optional(),
  hl7: z.string().optional(),
  attachments: z.array(
    z.object({
      contentId: z.string(),
      contentType: z.string(),
      description: z.string().optional(),
      base64: z.string(),
    }),
  ),
  unmatched: z.boolean().optional(),
});

export function encodePasMessage(message: PasMessage): Buffer {
  return encodeBody(message);
}

/** A PAS message as read from mhs.inbound; a QueueContractError says what is wrong with it. */
export function parsePasMessage(body: Buffer): PasMessage {
  const message = parseBody(QUEUES.inbound, pasMessageSchema, body);
  return { ...message, data: message.data };
}

/** Publishes to mhs.inbound with properties that let a PAS route without parsing the body. */
export async function publishToPas(publisher: QueuePublisher, message: PasMessage): Promise<void> {
  await publisher.publish(QUEUES.inbound, encodePasMessage(message), {
    messageId: message.messageId,
    correlationId: message.conversationId,
    type: message.interactionId,
    contentType: 'application/json',
    headers: {
      kind: message.kind,
      refToMessageId: message.refToMessageId,
      unmatched: message.unmatched,
    },
  });
}
