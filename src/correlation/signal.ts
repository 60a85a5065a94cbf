import type { EbxmlError } from '../ebxml/index.js';
import type { ApplicationAcknowledgement } from '../hl7/index.js';

/** What inbound/ puts on mhs.signals: everything correlation needs, so it never parses XML. */
export interface Signal {
  /** `reply`: a business message answering one of ours (e.g. QUPC_IN160102UK05); the PAS already has it. */
  kind: 'acknowledgment' | 'message-error' | 'application-ack' | 'reply';
  /** The signal's own ebXML MessageId. */
  signalId: string;
  /** ebXML RefToMessageId, when the sender set one. */
  refToMessageId?: string;
  conversationId: string;
  receivedAt: string;
  errors?: EbxmlError[];
  applicationAck?: ApplicationAcknowledgement;
  hl7?: string;
  /** A reply's interaction id. */
  interactionId?: string;
}
