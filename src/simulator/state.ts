/** Fault injection settings (PUT /control/faults). */
export interface Faults {
  /** The application acknowledgement e-RS answers with. */
  applicationAck: 'AA' | 'AE' | 'AR';
  /** Never send the ebXML Acknowledgment. */
  dropAcks: boolean;
  /** Milliseconds to wait before sending signals back. */
  delayMs: number;
  /** Milliseconds Spine takes to answer the POST itself (a slow hop). */
  responseDelayMs?: number;
  /** Answer the next `times` messages with Spine's SOAP fault (HTTP 500) carrying these TMS codes. */
  soapFault?: { codes: string[]; times: number };
  /** Send the next N e-RS requests twice, same MessageId and bytes (a resend whose ack was lost). */
  duplicateDeliveries?: number;
  /** Answer the next `times` messages with an ebXML MessageError (HTTP 200). */
  messageError?: { errorCode: string; description: string; times: number };
}

export const DEFAULT_FAULTS: Faults = { applicationAck: 'AA', dropAcks: false, delayMs: 0 };

/** A message the simulator received on its Spine endpoint. */
export interface ReceivedMessage {
  messageId: string;
  action: string;
  service: string;
  conversationId: string;
  refToMessageId?: string;
  from: string;
  to: string;
  cpaId: string;
  receivedAt: string;
  signature: { present: boolean; valid?: boolean; reason?: string };
  ackRequested?: { actor?: string };
  duplicateElimination: boolean;
  syncReply: boolean;
  hl7?: string;
  /** How the simulator answered the POST itself (status and what it carried). */
  answeredWith?: string;
  /** e-RS's check of an answer against the request it answers. */
  check?: { ok: boolean; problems: string[]; answers?: string };
  /** What the gateway answered to the signals the simulator sent back. */
  signalsSent: { kind: string; messageId: string; status: number }[];
}
