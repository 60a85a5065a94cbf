import type { EbxmlError } from '../ebxml/index.js';
import type { ApplicationAcknowledgement } from '../hl7/index.js';

/** What inbound/ puts on mhs.signals: everything correlation needs, so it never parses XML. */
export interface Signal {
  kind: 'acknowledgment' | 'message-error' | 'application-ack';
  /** The signal's own ebXML MessageId. */
  signalId: string;
  /** ebXML RefToMessageId, when the sender set one. */
  refToMessageId?: string;
  conversationId: string;
  receivedAt: string;
  errors?: EbxmlError[];
  applicationAck?: ApplicationAcknowledgement;
  hl7?: string;
}
