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

/** Publishes to mhs.inbound with properties that let a PAS route without parsing the body. */
export async function publishToPas(broker: QueuePublisher, message: PasMessage): Promise<void> {
  await broker.publish(QUEUES.inbound, Buffer.from(JSON.stringify(message)), {
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
