import { z } from 'zod';

/**
 * Fault injection settings (PUT /control/faults), each with what it does to a message; the
 * descriptions are what GET /control/ lists. Counted faults (`times`, `duplicateDeliveries`) are
 * used up one message at a time; the others stay until changed.
 */
export const faultsSchema = z.strictObject({
  applicationAck: z
    .enum(['AA', 'AE', 'AR'])
    .describe(
      'The application acknowledgement e-RS sends for each answer it accepts: AA completes the message (COMPLETED); AE (business error) and AR (rejected) leave it REJECTED, and the PAS reads the acknowledgement on mhs.inbound. An answer that does not match the request it answers is always AR. Default AA.',
    ),
  dropAcks: z
    .boolean()
    .describe(
      'true: Spine never sends the ebXML Acknowledgment (neither inline nor later), so a message is never ACKED; e-RS still sends its application acknowledgement, which moves it from SENT to COMPLETED (or REJECTED). Default false.',
    ),
  delayMs: z
    .number()
    .int()
    .min(0)
    .max(600_000)
    .describe(
      'Milliseconds Spine and e-RS wait before sending their signals (Acknowledgment, application acknowledgement) back: late signals. Default simulator.ackDelayMs.',
    ),
  responseDelayMs: z
    .number()
    .int()
    .min(0)
    .max(600_000)
    .optional()
    .describe(
      "Milliseconds Spine takes to answer the gateway's POST itself (a slow hop); past outbound.requestTimeoutMs the gateway counts it a transport failure and retries.",
    ),
  soapFault: z
    .strictObject({ codes: z.array(z.string().min(1)).max(10), times: z.number().int().min(0) })
    .optional()
    .describe(
      "Answer the next `times` messages with HTTP 500 and a Spine SOAP fault carrying these codes. If every code is retriable (200, 206, 208) the gateway retries after the route's retryInterval (RETRYING), and after retries + 1 attempts gives up: FAILED, a dead letter. Any other code (e.g. 300) is final: NACKED.",
    ),
  duplicateDeliveries: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Send the next N e-RS requests (slot polls, booking and cancellation requests) twice, same MessageId and bytes, as an MSH does when an Acknowledgment is lost: the gateway answers the copy with the same Acknowledgment and the PAS reads the request once.',
    ),
  messageError: z
    .strictObject({
      errorCode: z.string().min(1),
      description: z.string(),
      times: z.number().int().min(0),
      status: z.union([z.literal(200), z.literal(500)]).optional(),
      refersTo: z.enum(['messageId', 'conversationId']).optional(),
    })
    .optional()
    .describe(
      'Answer the next `times` ebXML messages with an ebXML MessageError (severity Error) with this errorCode (e.g. ValueNotRecognized): the gateway marks the message NACKED and the PAS reads kind "error" on mhs.inbound. As real Spine varies: `status` 200 (default, as documented) or 500 (as the MHS adaptor\'s fake Spine sends it); `refersTo` "messageId" (default) or "conversationId", the value Spine has been seen to put in eb:RefToMessageId.',
    ),
});

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
  messageError?: {
    errorCode: string;
    description: string;
    times: number;
    status?: 200 | 500;
    refersTo?: 'messageId' | 'conversationId';
  };
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

/**
 * The messages the Spine endpoint received, newest `capacity` kept: a soak or a ten-minute bench
 * must not grow the simulator without bound. `dropped` counts the older ones let go.
 */
export class ReceivedLog {
  private readonly kept: ReceivedMessage[] = [];
  /** Index of the oldest kept message; the array is compacted once this passes `capacity`. */
  private start = 0;
  dropped = 0;

  constructor(readonly capacity = 5_000) {}

  push(record: ReceivedMessage): void {
    this.kept.push(record);
    if (this.kept.length - this.start <= this.capacity) return;
    this.start += 1;
    this.dropped += 1;
    // Compacting every `capacity` drops keeps each push O(1) on average.
    if (this.start >= this.capacity) {
      this.kept.splice(0, this.start);
      this.start = 0;
    }
  }

  /** Oldest first. */
  messages(): ReceivedMessage[] {
    return this.kept.slice(this.start);
  }
}
